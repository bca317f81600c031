/* gongkai listings: in-page filtering and sorting on top of static pages.
   Without this script every listing still works: it only reorders and hides items of the current page. */
(function () {
  "use strict";
  function text(el) { return (el.textContent || "").toLowerCase(); }

  function enhance(list, index) {
    var items = Array.prototype.slice.call(list.children);
    if (items.length < 2) return;
    var tools = document.createElement("div");
    tools.className = "gk-listing-tools";
    var id = "gk-filter-" + index;
    tools.innerHTML =
      '<label for="' + id + '">在本页筛选：</label><input id="' + id + '" type="search" autocomplete="off">' +
      '<label for="' + id + '-sort">排序：</label><select id="' + id + '-sort">' +
      '<option value="new">发布日期从新到旧</option><option value="old">发布日期从旧到新</option>' +
      '<option value="title">按标题</option></select>' +
      '<span class="gk-filter-status" role="status" aria-live="polite"></span>';
    list.parentNode.insertBefore(tools, list);
    var input = tools.querySelector("input"), select = tools.querySelector("select"),
        status = tools.querySelector(".gk-filter-status");

    input.addEventListener("input", function () {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean), shown = 0;
      items.forEach(function (li) {
        var t = text(li), ok = words.every(function (w) { return t.indexOf(w) >= 0; });
        li.hidden = !ok;
        if (ok) shown++;
      });
      status.textContent = words.length ? "本页显示 " + shown + " / " + items.length + " 条" : "";
    });
    select.addEventListener("change", function () {
      var order = select.value, sorted = items.slice();
      sorted.sort(function (a, b) {
        if (order === "title") return text(a).localeCompare(text(b), "zh-CN");
        var da = a.getAttribute("data-date") || "", db = b.getAttribute("data-date") || "";
        return order === "old" ? da.localeCompare(db) : db.localeCompare(da);
      });
      sorted.forEach(function (li) { list.appendChild(li); });
    });
  }

  function start() {
    var lists = document.querySelectorAll("[data-gk-listing]");
    for (var i = 0; i < lists.length; i++) enhance(lists[i], i);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
