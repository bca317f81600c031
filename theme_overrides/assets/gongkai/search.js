/* gongkai site search: reads the prebuilt index under search/ (see plugins/gongkai/search_index.py).
 * Index files are scripts that call gkSearchLoad(kind, number, data): loading them by <script> tags works
 * over HTTP and from file:// alike (no fetch, no workers, no WebAssembly). */
(function () {
  "use strict";
  var ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";
  var DIGIT = {};
  for (var a = 0; a < ALPHABET.length; a++) DIGIT[ALPHABET.charAt(a)] = a;
  var FACET = "\u0001";
  var PAGE = 20;
  var KIND_LABELS = { policy: "政策文件", interpretation: "政策解读", notice: "通知公告", news: "工作动态",
    report: "报告", data: "数据发布", guide: "办事指南", other: "其他" };
  var VALIDITY_LABELS = { valid: "现行有效", amended: "已修改", abolished: "已废止", expired: "已失效" };
  var FILTERS = ["column", "kind", "publisher", "year", "validity"];

  var script = document.currentScript;
  var ROOT = script ? script.src.replace(/assets\/gongkai\/search\.js([?#].*)?$/, "") : "";
  var INDEX = ROOT + "search/";
  var IS_FILE = location.protocol === "file:";

  // ---- loading index files -------------------------------------------------------------------
  var store = {}, pending = {}, manifest = null;
  window.gkSearchLoad = function (kind, number, data) { store[kind + "/" + number] = data; };

  function fileName(kind, n) {
    if (kind === "manifest") return "manifest.js";
    return kind + "/" + Math.floor(n / manifest.dirSize) + "/" + n + ".js";
  }

  function load(kind, n) {
    var key = kind + "/" + n;
    if (key in store) return Promise.resolve(store[key]);
    if (pending[key]) return pending[key];
    pending[key] = new Promise(function (resolve) {
      var el = document.createElement("script");
      var src = INDEX + fileName(kind, n);
      if (!IS_FILE && manifest && kind !== "manifest") src += "?v=" + manifest.build;
      el.src = src;
      el.async = true;
      el.onload = function () { el.remove(); resolve(store[key]); };
      el.onerror = function () { el.remove(); delete pending[key]; resolve(undefined); };
      document.head.appendChild(el);
    });
    return pending[key];
  }

  // ---- text normalisation (as normalize() in search_index.py) --------------------------------
  var SPACE = /[\s\u0000-\u001f\u007f-\u009f]/;
  var SPACES = /[\s\u0000-\u001f\u007f-\u009f]+/g;
  function normalize(text) { return text.normalize("NFKC").toLowerCase().replace(SPACES, " "); }
  /* Normalised text with, for each of its UTF-16 units, the offset of the source unit it came from. */
  function normalizeMapped(text) {
    var out = "", map = [], prevSpace = false, i = 0;
    for (var ch of text) {
      var n = ch.normalize("NFKC").toLowerCase();
      if (SPACE.test(n) || n === "") {
        if (!prevSpace) { out += " "; map.push(i); }
        prevSpace = true;
      } else {
        for (var k = 0; k < n.length; k++) map.push(i);
        out += n; prevSpace = false;
      }
      i += ch.length;
    }
    map.push(i);
    return { text: out, map: map };
  }

  function fnv1a(key) {
    var h = 2166136261;
    for (var ch of key) h = Math.imul(h ^ ch.codePointAt(0), 16777619) >>> 0;
    return h;
  }

  function parseQuery(query) {
    var terms = [], re = /"([^"]+)"|“([^”]+)”|(\S+)/g, m;
    query = query.replace(/＂/g, '"');
    while ((m = re.exec(query))) {
      var t = normalize(m[1] || m[2] || m[3]).trim();
      if (t && terms.indexOf(t) < 0) terms.push(t);
    }
    return terms;
  }
  function termKeys(term) {
    var chars = Array.from(term);
    if (chars.length <= 3) return [term];
    var keys = [];
    for (var i = 0; i + 3 <= chars.length; i++) {
      var g = chars.slice(i, i + 3).join("");
      if (keys.indexOf(g) < 0) keys.push(g);
    }
    return keys;
  }

  // ---- postings ------------------------------------------------------------------------------
  function decode(value) {
    var ids = [];
    if (!value) return ids;
    if (value.charAt(0) === "!") {
      for (var k = 1; k < value.length; k++) {
        var bits = DIGIT[value.charAt(k)];
        for (var b = 0; b < 6; b++) if (bits >> b & 1) ids.push((k - 1) * 6 + b);
      }
      return ids;
    }
    var n = 0, prev = -1;
    for (var i = 0; i < value.length; i++) {
      var v = DIGIT[value.charAt(i)];
      if (v >= 32) n = n * 32 + (v - 32);
      else { prev = prev + n * 32 + v + 1; ids.push(prev); n = 0; }
    }
    return ids;
  }
  function decodeWeighted(value, into) {
    var n = 0, prev = -1;
    for (var i = 0; i < value.length; i++) {
      var v = DIGIT[value.charAt(i)];
      if (v >= 32) { n = n * 32 + (v - 32); continue; }
      prev = prev + n * 32 + v + 1; n = 0;
      i++;
      into[prev] = (into[prev] || 0) + DIGIT[value.charAt(i)];
    }
  }
  function intersect(a, b) {
    var out = [], i = 0, j = 0;
    while (i < a.length && j < b.length) {
      if (a[i] === b[j]) { out.push(a[i]); i++; j++; } else if (a[i] < b[j]) i++; else j++;
    }
    return out;
  }
  function union(a, b) { return Array.from(new Set(a.concat(b))).sort(function (x, y) { return x - y; }); }

  function gramShard(key) { return load("g", fnv1a(key) % manifest.gramShards); }
  function gram(key) {
    return gramShard(key).then(function (shard) {
      var v = shard && shard[key];
      if (!v) return { all: [], title: [] };
      var bar = v.indexOf("|");
      return bar < 0 ? { all: decode(v), title: [] } : { all: decode(v.slice(0, bar)), title: decode(v.slice(bar + 1)) };
    });
  }
  function wordWeights(term, weights) {
    return load("w", fnv1a(term) % manifest.wordShards).then(function (shard) {
      if (shard && shard[term]) decodeWeighted(shard[term], weights);
    });
  }
  function meta(n) {
    return load("m", Math.floor(n / manifest.metaChunk)).then(function (rows) { return rows[n % manifest.metaChunk]; });
  }
  function bodyText(n) { return load("t", n).then(function (t) { return t === undefined ? null : t; }); }

  // ---- query evaluation ----------------------------------------------------------------------
  function facetKey(name, value) {
    if (name === "publisher") value = String(manifest.publishers.indexOf(value));
    return FACET + name.charAt(0) + ":" + value;
  }

  /* Candidates of the query: every document whose title, 文号 or body holds all terms (a small superset
   * that verify() trims), ordered by title/文号 matches, then word weight, then newest first. */
  function candidates(terms, filters, sort) {
    var weights = {};
    var perTerm = terms.map(function (term) {
      return Promise.all(termKeys(term).map(gram)).then(function (lists) {
        var all = lists[0].all, title = lists[0].title;
        for (var i = 1; i < lists.length; i++) { all = intersect(all, lists[i].all); title = intersect(title, lists[i].title); }
        return { all: all, title: new Set(title) };
      });
    });
    var weighted = terms.map(function (term) { return wordWeights(term, weights); });
    var facets = FILTERS.filter(function (f) { return filters[f]; }).map(function (f) {
      return Promise.all(filters[f].split(",").map(function (v) { return gram(facetKey(f, v)); }))
        .then(function (lists) { return lists.reduce(function (acc, l) { return union(acc, l.all); }, []); });
    });
    return Promise.all([Promise.all(perTerm), Promise.all(facets), Promise.all(weighted)]).then(function (r) {
      var sets = r[0], found = sets.length ? sets[0].all : null;
      for (var i = 1; i < sets.length; i++) found = intersect(found, sets[i].all);
      r[1].forEach(function (f) { found = found === null ? f : intersect(found, f); });
      found = found || [];
      if (sort === "date") return found.slice().reverse();   // documents are numbered oldest first
      var tier = {};
      found.forEach(function (n) {
        var t = 0;
        sets.forEach(function (s) { if (s.title.has(n)) t++; });
        tier[n] = t;
      });
      return found.slice().sort(function (x, y) {
        return (tier[y] - tier[x]) || ((weights[y] || 0) - (weights[x] || 0)) || (y - x);
      });
    });
  }

  function holdsAll(row, text, terms) {
    var hay = [normalize(row[1]), normalize(row[2]), normalize(text)];
    return terms.every(function (t) { return hay.some(function (h) { return h.indexOf(t) >= 0; }); });
  }

  // ---- rendering -----------------------------------------------------------------------------
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) { if (c != null) node.append(c); });
    return node;
  }

  /* Nodes for text[start:end] with every occurrence of the terms wrapped in <mark>. */
  function highlighted(text, terms, start, end) {
    var nm = normalizeMapped(text);
    var hits = [];
    terms.forEach(function (t) {
      var i = nm.text.indexOf(t);
      while (i >= 0) { hits.push([nm.map[i], nm.map[i + t.length]]); i = nm.text.indexOf(t, i + t.length); }
    });
    hits.sort(function (x, y) { return x[0] - y[0] || y[1] - x[1]; });
    start = start || 0; end = end == null ? text.length : end;
    var nodes = [], pos = start;
    hits.forEach(function (h) {
      var s = Math.max(h[0], pos), e = Math.min(h[1], end);
      if (e <= s) return;
      if (s > pos) nodes.push(text.slice(pos, s));
      nodes.push(el("mark", {}, [text.slice(s, e)]));
      pos = e;
    });
    if (pos < end) nodes.push(text.slice(pos, end));
    return nodes;
  }

  function snippet(text, terms) {
    var nm = normalizeMapped(text), first = -1;
    terms.forEach(function (t) {
      var i = nm.text.indexOf(t);
      if (i >= 0 && (first < 0 || nm.map[i] < first)) first = nm.map[i];
    });
    if (first < 0) first = 0;
    var start = Math.max(0, first - 40), end = Math.min(text.length, start + 160);
    var nodes = highlighted(text, terms, start, end);
    if (start > 0) nodes.unshift("…");
    if (end < text.length) nodes.push("…");
    return nodes;
  }

  function resultItem(n, row, text, terms) {
    var cols = row[7].map(function (c) { return manifest.columns[c][1]; });
    var facts = [
      ["发布机构", manifest.publishers[row[3]] || ""], ["发布日期", row[4]],
      ["文号", row[2]], ["信息类别", KIND_LABELS[row[5]] || row[5]],
      ["有效性", VALIDITY_LABELS[row[6]] || ""], ["所属专栏", cols.join("、")]
    ].filter(function (f) { return f[1]; });
    var dl = el("dl", { "class": "gk-result__meta" });
    facts.forEach(function (f) {
      dl.append(el("div", {}, [el("dt", {}, [f[0]]), el("dd", {}, f[0] === "文号" ? highlighted(f[1], terms) : [f[1]])]));
    });
    return el("li", { "class": "gk-result" }, [
      el("h2", { "class": "gk-result__title" }, [el("a", { href: ROOT + row[0], "data-gk-result": "" }, highlighted(row[1], terms))]),
      dl,
      el("p", { "class": "gk-result__snippet" }, text == null ? [] : snippet(text, terms))
    ]);
  }

  // ---- page ----------------------------------------------------------------------------------
  var ui = {}, run = 0, current = null;

  function readUrl() {
    var p = new URLSearchParams(location.search), state = { q: p.get("q") || "", sort: p.get("sort") || "" };
    FILTERS.forEach(function (f) { state[f] = p.get(f) || ""; });
    return state;
  }
  function readForm() {
    var state = { q: ui.input.value, sort: ui.form.elements.sort.value };
    FILTERS.forEach(function (f) { state[f] = ui.form.elements[f].value; });
    return state;
  }
  function writeForm(state) {
    ui.input.value = state.q;
    ui.form.elements.sort.value = state.sort;
    FILTERS.forEach(function (f) {
      var select = ui.form.elements[f];
      if (state[f] && !Array.from(select.options).some(function (o) { return o.value === state[f]; })) {
        select.append(el("option", { value: state[f] }, [state[f]]));
      }
      select.value = state[f];
    });
  }
  function urlOf(state) {
    var p = new URLSearchParams();
    if (state.q) p.set("q", state.q);
    FILTERS.forEach(function (f) { if (state[f]) p.set(f, state[f]); });
    if (state.sort) p.set("sort", state.sort);
    var s = p.toString();
    return location.pathname + (s ? "?" + s : "");
  }
  function fillSelect(name, options) {
    var select = ui.form.elements[name];
    options.forEach(function (o) { select.append(el("option", { value: o[0] }, [o[1]])); });
  }
  function setStatus(count, message) {
    if (count == null) { ui.count.textContent = ""; ui.count.removeAttribute("data-gk-count-value"); }
    else { ui.count.textContent = String(count); }
    ui.message.textContent = message;
  }

  /* Shows the next PAGE candidates: titles and metadata first (one round of small files), then each text
   * for its snippet; a candidate whose trigrams matched apart (rare) is removed and the page topped up. */
  function showPage(state, append, size) {
    var my = run;
    var batch = state.cands.slice(state.pos, state.pos + (size || PAGE));
    state.pos += batch.length;
    var rows = new Array(batch.length), items = new Array(batch.length), rendered = 0;
    if (!append) ui.list.textContent = "";
    function markFirst() {
      if (!window.gkSearch.first || window.gkSearch.first.query !== state.query) {
        // ms: from the last keystroke (or the search start) to the first results on screen.
        window.gkSearch.first = { query: state.query, ms: Math.round(performance.now() - (state.typedAt || state.t0)) };
      }
    }
    // Results appear in rank order as soon as their metadata arrives; snippets follow.
    var metas = batch.map(function (n, i) {
      return meta(n).then(function (row) {
        if (my !== run) return;
        rows[i] = row;
        while (rendered < batch.length && rows[rendered] !== undefined) {
          items[rendered] = resultItem(batch[rendered], rows[rendered], null, state.terms);
          ui.list.append(items[rendered]);
          rendered++;
          markFirst();
        }
      });
    });
    return Promise.all(metas).then(function () {
      if (my !== run) return;
      markFirst();
      return Promise.all(batch.map(bodyText)).then(function (texts) {
        if (my !== run) return;
        var dropped = 0;
        texts.forEach(function (text, i) {
          if (text === null) return;  // text not loaded: keep the result, without a snippet
          if (holdsAll(rows[i], text, state.terms)) {
            var p = items[i].querySelector(".gk-result__snippet");
            p.replaceChildren.apply(p, snippet(text, state.terms));
          } else { items[i].remove(); dropped++; }
        });
        state.dropped += dropped;
        state.shown += batch.length - dropped;
        if (dropped && state.pos < state.cands.length) return showPage(state, true, dropped);
        finish(state);
      });
    });
  }

  function finish(state) {
    var count = state.cands.length - state.dropped;
    ui.more.hidden = state.pos >= state.cands.length;
    setStatus(count, count ? " 条结果" + (state.shown < count ? "，显示前 " + state.shown + " 条" : "") : " 条结果，请尝试更换或减少关键词");
    ui.root.setAttribute("data-gk-state", "done");
    window.gkSearch.last = { query: state.query, count: count, candidates: state.cands.length, dropped: state.dropped,
      candidatesMs: state.candidatesMs,
      ms: Math.round(performance.now() - (state.typedAt || state.t0)),
      urls: Array.from(ui.list.querySelectorAll("a[data-gk-result]")).map(function (a) { return a.getAttribute("href"); }) };
  }

  function search(state) {
    var my = ++run, t0 = performance.now();
    var terms = parseQuery(state.q);
    ui.root.setAttribute("data-gk-state", "busy");
    document.title = (state.q ? state.q + " - " : "") + ui.baseTitle;
    var filtered = FILTERS.some(function (f) { return state[f]; });
    if (!terms.length && !filtered) {
      ui.list.textContent = ""; ui.more.hidden = true; setStatus(null, "");
      ui.root.setAttribute("data-gk-state", "done");
      return Promise.resolve();
    }
    setStatus(null, "正在搜索…");
    return candidates(terms, state, state.sort).then(function (cands) {
      if (my !== run) return;
      current = { query: state.q, terms: terms, cands: cands, pos: 0, shown: 0, dropped: 0, t0: t0, typedAt: typedAt,
        candidatesMs: Math.round(performance.now() - t0) };
      typedAt = null;
      return showPage(current, false);
    });
  }

  var timer = null;
  var typedAt = null;
  function onInput() {
    typedAt = performance.now();
    clearTimeout(timer);
    timer = setTimeout(function () {
      var state = readForm();
      history.replaceState(state, "", urlOf(state));
      search(state);
    }, 50);
  }
  function onCommit(event) {
    if (event) event.preventDefault();
    clearTimeout(timer);
    var state = readForm();
    if (urlOf(state) !== location.pathname + location.search) history.pushState(state, "", urlOf(state));
    search(state);
  }

  function init() {
    ui.root = document.querySelector("[data-gk-search]");
    if (!ui.root) return;
    ui.form = ui.root.querySelector("[data-gk-search-form]");
    ui.input = ui.form.elements.q;
    ui.count = ui.root.querySelector("[data-gk-count]");
    ui.message = ui.root.querySelector("[data-gk-message]");
    ui.list = ui.root.querySelector("[data-gk-results]");
    ui.more = ui.root.querySelector("[data-gk-more]");
    ui.baseTitle = document.title;
    var state = readUrl();
    ui.input.value = state.q;
    manifestLoading.then(function (m) {
      if (!m) { setStatus(null, "搜索索引加载失败，请稍后重试。"); return; }
      manifest = m;
      fillSelect("column", m.columns.map(function (c) { return [c[0], c[1]]; }));
      fillSelect("kind", m.kinds.map(function (k) { return [k, KIND_LABELS[k] || k]; }));
      fillSelect("publisher", m.publishers.map(function (p) { return [p, p]; }));
      fillSelect("year", m.years.map(function (y) { return [y, y + "年"]; }));
      fillSelect("validity", m.validities.map(function (v) { return [v, VALIDITY_LABELS[v] || v]; }));
      writeForm(state);
      history.replaceState(state, "", location.href);
      ui.form.addEventListener("submit", onCommit);
      ui.input.addEventListener("input", onInput);
      ui.form.addEventListener("change", function (e) { if (e.target !== ui.input) onCommit(); });
      ui.more.addEventListener("click", function () {
        var firstNew = ui.list.children.length;
        ui.root.setAttribute("data-gk-state", "busy");
        showPage(current, true).then(function () {
          var link = ui.list.children[firstNew] && ui.list.children[firstNew].querySelector("a");
          if (link) link.focus();
        });
      });
      window.addEventListener("popstate", function () { var s = readUrl(); writeForm(s); search(s); });
      search(state);
    });
  }

  window.gkSearch = { parseQuery: parseQuery, normalize: normalize, last: null };
  // Start loading the manifest at once; the search page is the only page that loads this script.
  var manifestLoading = load("manifest", 0);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
