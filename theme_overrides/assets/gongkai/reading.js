// The elderly-friendly mode (适老化): large text and high contrast, remembered across pages.
// Works from file:// too (localStorage may be unavailable there: then it lasts for the page only).
(function () {
  var KEY = "gongkai.large";
  var root = document.documentElement;
  function stored() { try { return localStorage.getItem(KEY) === "1"; } catch (e) { return false; } }
  function store(on) { try { localStorage.setItem(KEY, on ? "1" : "0"); } catch (e) { /* file:// */ } }
  function apply(on) {
    root.classList.toggle("gk-large", on);
    var buttons = document.querySelectorAll("[data-gk-large-toggle]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].setAttribute("aria-pressed", on ? "true" : "false");
      buttons[i].textContent = on ? "退出长者模式" : "长者模式（大字号、高对比度）";
    }
  }
  apply(stored());
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-gk-large-toggle]");
    if (!button) return;
    var on = !root.classList.contains("gk-large");
    store(on);
    apply(on);
  });
  document.addEventListener("DOMContentLoaded", function () { apply(root.classList.contains("gk-large")); });
})();
