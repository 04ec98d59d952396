/* The answer page: one question group per screen, relevance and checks as the respondent
 * goes, answers kept in localStorage until the server has them, one UUID per answer sheet
 * so a resend is stored once. The expressions arrive as the trees the server parsed
 * (chuangjian/surveys/expr.py); this evaluator mirrors its `evaluate`. No eval, no inline
 * script (the CSP allows neither). */
(function () {
  "use strict";
  var form = document.getElementById("sv-form");
  if (!form) return;
  var def = JSON.parse(document.getElementById("sv-def").textContent);
  var text = document.getElementById("sv-text").dataset;
  var storeKey = form.dataset.store;
  var byName = {};
  def.questions.forEach(function (q) { byName[q.name] = q; });
  var pages = Array.prototype.slice.call(form.querySelectorAll(".sv-page"));
  var donePage = form.querySelector('[data-page="done"]');
  var work = pages.filter(function (p) { return p !== donePage; });

  function uuid4() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function load() {
    try { return JSON.parse(localStorage.getItem(storeKey)) || null; } catch (e) { return null; }
  }
  var state = load() || { uuid: uuid4(), answers: {}, page: 0, started_at: new Date().toISOString(), page_seconds: [], meta: {} };
  function save() { try { localStorage.setItem(storeKey, JSON.stringify(state)); } catch (e) { /* full or private mode */ } }

  // -- the expression evaluator (mirror of expr.evaluate) ----------------------------------
  function num(v) {
    if (typeof v === "boolean") return v ? 1 : 0;
    if (typeof v === "number") return v;
    var s = String(v == null ? "" : v).trim();
    return s === "" ? NaN : Number(s);
  }
  function bool(v) {
    if (typeof v === "boolean") return v;
    if (typeof v === "number") return v !== 0 && !isNaN(v);
    return v != null && String(v) !== "";
  }
  function str(v) {
    if (v == null) return "";
    if (typeof v === "boolean") return v ? "true" : "false";
    return String(v);
  }
  var DATE = /^\d{4}-\d{2}-\d{2}$/;
  function compare(op, a, b) {
    if (typeof a === "boolean" || typeof b === "boolean") { a = bool(a); b = bool(b); }
    else if ((op === "=" || op === "!=") && typeof a === "string" && typeof b === "string") { /* as text */ }
    else if (typeof a === "string" && typeof b === "string" && DATE.test(a) && DATE.test(b)) { /* dates */ }
    else { a = num(a); b = num(b); if (isNaN(a) || isNaN(b)) return op === "!="; }
    switch (op) {
      case "=": return a === b; case "!=": return a !== b; case "<": return a < b;
      case "<=": return a <= b; case ">": return a > b; default: return a >= b;
    }
  }
  function ev(t, look, dot) {
    switch (t[0]) {
      case "num": case "str": return t[1];
      case "ref": return look(t[1]);
      case "col": return look("@" + t[1]);
      case "dot": return dot;
      case "neg": return -num(ev(t[1], look, dot));
      case "op": {
        var op = t[1];
        if (op === "or") return bool(ev(t[2], look, dot)) || bool(ev(t[3], look, dot));
        if (op === "and") return bool(ev(t[2], look, dot)) && bool(ev(t[3], look, dot));
        var a = ev(t[2], look, dot), b = ev(t[3], look, dot);
        if (["=", "!=", "<", "<=", ">", ">="].indexOf(op) >= 0) return compare(op, a, b);
        var x = num(a), y = num(b);
        if (op === "+") return x + y; if (op === "-") return x - y; if (op === "*") return x * y;
        if (op === "div") return x / y;
        return y ? x % y : NaN;
      }
    }
    var name = t[1], args = t[2];
    if (name === "true") return true;
    if (name === "false") return false;
    if (name === "if") return ev(bool(ev(args[0], look, dot)) ? args[1] : args[2], look, dot);
    var v = args.map(function (x) { return ev(x, look, dot); });
    switch (name) {
      case "selected": return str(v[0]).split(/\s+/).indexOf(str(v[1])) >= 0;
      case "count-selected": return str(v[0]).split(/\s+/).filter(Boolean).length;
      case "string-length": return str(v[0]).length;
      case "not": return !bool(v[0]);
      case "coalesce": return str(v[0]) !== "" ? v[0] : v[1];
      case "number": return num(v[0]);
      case "int": return Math.trunc(num(v[0]));
      case "round": { var f = Math.pow(10, v.length > 1 ? num(v[1]) : 0); return Math.floor(num(v[0]) * f + 0.5) / f; }
      case "concat": return v.map(str).join("");
      case "contains": return str(v[0]).indexOf(str(v[1])) >= 0;
      case "starts-with": return str(v[0]).indexOf(str(v[1])) === 0;
      case "count": return str(v[0]) !== "" ? 1 : 0;
      case "sum": return num(v[0]) || 0;
    }
    return "";
  }

  // -- answers -----------------------------------------------------------------------
  function read(name) {
    var q = byName[name];
    if (!q) return "";
    if (q.type === "select_one") {
      var r = form.querySelector('input[name="' + name + '"]:checked');
      return r ? r.value : "";
    }
    if (q.type === "select_multiple") {
      return Array.prototype.map.call(form.querySelectorAll('input[name="' + name + '"]:checked'),
        function (c) { return c.value; }).join(" ");
    }
    var el = form.querySelector('[name="' + name + '"]');
    return el ? el.value.trim() : "";
  }
  function write(name, value) {
    var q = byName[name];
    if (!q || value == null) return;
    if (q.type === "select_one" || q.type === "select_multiple") {
      var picked = String(value).split(/\s+/);
      form.querySelectorAll('input[name="' + name + '"]').forEach(function (c) { c.checked = picked.indexOf(c.value) >= 0; });
    } else {
      var el = form.querySelector('[name="' + name + '"]');
      if (el) el.value = value;
    }
  }
  var answers = {};
  function lookup(name) {
    if (name.charAt(0) === "@") return "";
    return answers[name] == null ? "" : answers[name];
  }
  function relevant(q) {
    var groups = q.groups || [];
    for (var i = 0; i < groups.length; i++) {
      var g = def.groups[groups[i]];
      if (g && g.relevant && !bool(ev(g.relevant, lookup, ""))) return false;
    }
    return !q.relevant || bool(ev(q.relevant, lookup, ""));
  }
  function refresh() {
    answers = {};
    def.questions.forEach(function (q) {
      if (!relevant(q)) return;
      if (q.type === "calculate") { answers[q.name] = ev(q.calculation, lookup, ""); return; }
      var v = read(q.name);
      if (v !== "") answers[q.name] = (q.type === "integer" || q.type === "decimal") && !isNaN(Number(v)) ? Number(v) : v;
    });
    form.querySelectorAll(".sv-q[data-name]").forEach(function (box) {
      var q = byName[box.dataset.name];
      box.hidden = !relevant(q);
      if (q.choice_filter) {
        box.querySelectorAll(".sv-choice").forEach(function (c) {
          var choice = (def.choices[q.list] || []).filter(function (x) { return x.name === c.dataset.choice; })[0] || {};
          c.hidden = !bool(ev(q.choice_filter, function (n) { return n.charAt(0) === "@" ? (choice[n.slice(1)] || "") : lookup(n); }, ""));
        });
      }
    });
    var raw = {};
    def.questions.forEach(function (q) { var v = read(q.name); if (v !== "") raw[q.name] = v; });
    state.answers = raw;
    save();
  }

  function visiblePages() {
    return work.filter(function (p) {
      var boxes = p.querySelectorAll(".sv-q[data-name]");
      if (!boxes.length) return true;
      return Array.prototype.some.call(boxes, function (b) { return relevant(byName[b.dataset.name]); });
    });
  }

  function check(page) {
    var ok = true;
    page.querySelectorAll(".sv-q").forEach(function (box) {
      var err = box.querySelector(".sv-err");
      if (err) err.textContent = "";
      if (box.dataset.meta !== undefined) return;
      var q = byName[box.dataset.name];
      if (!q || box.hidden || q.type === "note") return;
      var v = read(q.name), msg = "";
      if (v === "") { if (q.required) msg = q.required_message || text.required; }
      else if (q.type === "integer" && !/^-?\d+$/.test(v)) msg = text.integer;
      else if (q.type === "decimal" && isNaN(Number(v))) msg = text.number;
      else if (q.constraint && !bool(ev(q.constraint, lookup, q.type === "integer" || q.type === "decimal" ? Number(v) : v))) msg = q.constraint_message || text.invalid;
      if (msg) { ok = false; if (err) err.textContent = msg; }
    });
    var metas = page.querySelectorAll("[data-meta]");
    if (metas.length) {
      var missing = Array.prototype.some.call(metas, function (m) { return !m.value; });
      var err = page.querySelector(".sv-err");
      if (missing) { ok = false; if (err) err.textContent = text.meta; }
      metas.forEach(function (m) { state.meta[m.dataset.meta] = m.value; });
    }
    return ok;
  }

  var current = 0, enteredAt = Date.now();
  function tick() {
    var seconds = (Date.now() - enteredAt) / 1000;
    state.page_seconds[current] = Math.round(((state.page_seconds[current] || 0) + seconds) * 10) / 10;
    enteredAt = Date.now();
  }
  function show(index) {
    var list = visiblePages();
    current = Math.max(0, Math.min(index, list.length - 1));
    work.forEach(function (p) { p.hidden = p !== list[current]; });
    donePage.hidden = true;
    document.getElementById("sv-prev").hidden = current === 0;
    document.getElementById("sv-next").hidden = current === list.length - 1;
    document.getElementById("sv-send").hidden = current !== list.length - 1;
    document.getElementById("sv-progress").textContent =
      text.page.replace("%(i)s", current + 1).replace("%(n)s", list.length);
    state.page = current;
    save();
    window.scrollTo(0, 0);
  }

  function csrf() {
    var el = form.querySelector('input[name="csrfmiddlewaretoken"]');
    return el ? el.value : "";
  }
  var status = document.getElementById("sv-status"), errors = document.getElementById("sv-errors");
  var sending = false;
  function send() {
    if (sending) return;
    tick();
    state.ended_at = state.ended_at || new Date().toISOString();
    save();
    var body = { uuid: state.uuid, answers: answers, started_at: state.started_at, ended_at: state.ended_at,
      page_seconds: state.page_seconds, unit: state.meta.unit || "", group: state.meta.group || "" };
    sending = true;
    status.hidden = false; status.textContent = text.sending; errors.hidden = true;
    fetch(form.dataset.submit, { method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() }, body: JSON.stringify(body) })
      .then(function (r) {
        if (r.status === 429) throw { busy: true };
        return r.json().then(function (data) { return { status: r.status, data: data }; });
      })
      .then(function (res) {
        sending = false;
        if (res.data.ok) {
          status.hidden = true;
          try { localStorage.removeItem(storeKey); } catch (e) { /* ignore */ }
          document.getElementById("sv-receipt").textContent = res.data.receipt;
          work.forEach(function (p) { p.hidden = true; });
          donePage.hidden = false;
          document.querySelector(".sv-nav").hidden = true;
          document.getElementById("sv-progress").textContent = "";
        } else {
          status.hidden = true;
          errors.hidden = false;
          errors.textContent = (res.data.errors || []).join("；");
          state.ended_at = null; save();
        }
      })
      .catch(function (e) {
        sending = false;
        status.hidden = false;
        status.textContent = e && e.busy ? text.busy : text.offline;
      });
  }

  // -- wiring --------------------------------------------------------------------------
  Object.keys(state.answers || {}).forEach(function (k) { write(k, state.answers[k]); });
  Object.keys(state.meta || {}).forEach(function (k) {
    var el = form.querySelector('[data-meta="' + k + '"]');
    if (el) el.value = state.meta[k];
  });
  refresh();
  show(state.page || 0);
  form.addEventListener("input", refresh);
  form.addEventListener("change", function (event) {
    refresh();
    var meta = event.target.closest("[data-page=start]");
    if (meta && Array.prototype.every.call(meta.querySelectorAll("[data-meta]"), function (m) { return m.value; })) {
      meta.querySelector(".sv-err").textContent = "";
    }
  });
  document.getElementById("sv-next").addEventListener("click", function () {
    refresh();
    if (!check(visiblePages()[current])) return;
    tick(); show(current + 1);
  });
  document.getElementById("sv-prev").addEventListener("click", function () { tick(); show(current - 1); });
  document.getElementById("sv-send").addEventListener("click", function () {
    refresh();
    if (!check(visiblePages()[current])) return;
    send();
  });
  window.addEventListener("online", function () { if (state.ended_at) send(); });
  var again = document.getElementById("sv-again");
  if (again) again.addEventListener("click", function () {
    var meta = state.meta;
    state = { uuid: uuid4(), answers: {}, page: 0, started_at: new Date().toISOString(), page_seconds: [], meta: meta };
    form.querySelectorAll("input[type=radio],input[type=checkbox]").forEach(function (c) { c.checked = false; });
    form.querySelectorAll(".sv-q[data-name] input:not([type=radio]):not([type=checkbox]), .sv-q[data-name] textarea").forEach(function (c) { c.value = ""; });
    document.querySelector(".sv-nav").hidden = false;
    refresh(); show(0);
  });
  if (state.ended_at && navigator.onLine) send();
})();
