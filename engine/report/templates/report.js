// The findings table of the HTML report: filters (rule, field, severity), sorting (click a
// heading) and pages, over the rows embedded as JSON in #report-data. Text goes in through
// textContent only, never as markup, so a value can hold anything.
(function () {
  "use strict";
  var source = document.getElementById("report-data");
  var table = document.getElementById("findings");
  if (!source || !table) { return; }
  var data = JSON.parse(source.textContent);
  var rank = {};
  // severity_order is most severe first; the rank grows with severity.
  data.severity_order.forEach(function (name, index) { rank[name] = data.severity_order.length - index; });
  var rows = data.rows.map(function (row, index) {
    var item = { index: index, record: row[0], line: row[1], field: row[2], rule: row[3],
                 severity: row[4], message: data.messages[row[5]] };
    var next = 6;
    if (data.show_values) { item.value = row[next]; next += 1; }
    if (data.waivers) { item.waived = row[next]; }
    return item;
  });
  var state = { rule: "", field: "", severity: "", key: "record", direction: 1, page: 0,
                size: 50 };
  var body = table.querySelector("tbody");
  var status = document.getElementById("status");
  var selects = {
    rule: document.getElementById("filter-rule"),
    field: document.getElementById("filter-field"),
    severity: document.getElementById("filter-severity")
  };

  function fill(select, values, label) {
    values.forEach(function (value) {
      var option = document.createElement("option");
      option.value = value;
      option.textContent = label(value);
      select.appendChild(option);
    });
  }
  function plural(count, noun) { return count.toLocaleString("en-GB") + " " + noun + (count === 1 ? "" : "s"); }

  // Every rule and field with findings in the run, also those whose rows were left out.
  fill(selects.rule, Object.keys(data.rule_totals).sort(), function (rule) {
    return rule + " (" + (data.rule_totals[rule] || 0).toLocaleString("en-GB") + ")";
  });
  fill(selects.field, Object.keys(data.field_totals).sort(), function (field) {
    return (field || "(no single field)") + " (" + (data.field_totals[field] || 0).toLocaleString("en-GB") + ")";
  });
  fill(selects.severity, data.severity_order.filter(function (name) { return data.severity_totals[name]; }),
       function (name) { return name + " (" + data.severity_totals[name].toLocaleString("en-GB") + ")"; });

  function compare(a, b) {
    var x = a[state.key], y = b[state.key];
    if (state.key === "severity") { x = rank[x]; y = rank[y]; }
    if (x === y) { return a.index - b.index; }
    if (x === null || x === undefined) { return -state.direction; }
    if (y === null || y === undefined) { return state.direction; }
    if (typeof x === "number" && typeof y === "number") { return (x - y) * state.direction; }
    return String(x).localeCompare(String(y)) * state.direction;
  }
  function matches(row) {
    return (!state.rule || row.rule === state.rule) &&
           (!state.field || (row.field || "") === state.field) &&
           (!state.severity || row.severity === state.severity);
  }
  function cell(tr, text, className) {
    var td = document.createElement("td");
    td.textContent = text === null || text === undefined ? "" : String(text);
    if (className) { td.className = className; }
    tr.appendChild(td);
    return td;
  }

  function render() {
    var shown = rows.filter(matches).sort(compare);
    var pages = Math.max(1, Math.ceil(shown.length / state.size));
    state.page = Math.min(state.page, pages - 1);
    var start = state.page * state.size;
    var page = shown.slice(start, start + state.size);
    body.textContent = "";
    page.forEach(function (row) {
      var tr = document.createElement("tr");
      if (row.waived) { tr.className = "waived"; }
      cell(tr, row.record === null ? "file" : row.record, "num");
      cell(tr, row.line, "num");
      var severity = cell(tr, "");
      var badge = document.createElement("span");
      badge.className = "badge badge-" + row.severity;
      badge.textContent = row.severity;
      severity.appendChild(badge);
      cell(tr, row.rule).className = "rule-id";
      cell(tr, row.field);
      cell(tr, row.message);
      if (data.show_values) { cell(tr, row.value === null ? "(blank)" : row.value, "value"); }
      if (data.waivers) { cell(tr, row.waived); }
      body.appendChild(tr);
    });
    var text = shown.length ? "Showing " + (start + 1).toLocaleString("en-GB") + "–" +
        (start + page.length).toLocaleString("en-GB") + " of " + plural(shown.length, "finding")
        : "No findings match these filters.";
    if (state.rule && (data.rule_totals[state.rule] || 0) > shown.length && !state.field && !state.severity) {
      text += " (the run had " + plural(data.rule_totals[state.rule], "finding") +
          " of this rule; only the first rows of the run are in this page)";
    }
    status.textContent = text;
    document.getElementById("page-label").textContent = "Page " + (state.page + 1) + " of " + pages;
    document.getElementById("page-first").disabled = state.page === 0;
    document.getElementById("page-prev").disabled = state.page === 0;
    document.getElementById("page-next").disabled = state.page >= pages - 1;
    document.getElementById("page-last").disabled = state.page >= pages - 1;
  }

  Object.keys(selects).forEach(function (name) {
    selects[name].addEventListener("change", function () {
      state[name] = selects[name].value;
      state.page = 0;
      render();
    });
  });
  document.getElementById("page-size").addEventListener("change", function (event) {
    state.size = parseInt(event.target.value, 10);
    state.page = 0;
    render();
  });
  document.getElementById("clear-filters").addEventListener("click", function () {
    Object.keys(selects).forEach(function (name) { state[name] = ""; selects[name].value = ""; });
    state.page = 0;
    render();
  });
  function turn(to) { return function () { state.page = to(state.page); render(); }; }
  document.getElementById("page-first").addEventListener("click", turn(function () { return 0; }));
  document.getElementById("page-prev").addEventListener("click", turn(function (p) { return Math.max(0, p - 1); }));
  document.getElementById("page-next").addEventListener("click", turn(function (p) { return p + 1; }));
  document.getElementById("page-last").addEventListener("click", turn(function () { return Infinity; }));

  table.querySelectorAll("th[data-key]").forEach(function (th) {
    th.querySelector("button").addEventListener("click", function () {
      var key = th.getAttribute("data-key");
      state.direction = state.key === key ? -state.direction : (key === "severity" ? -1 : 1);
      state.key = key;
      table.querySelectorAll("th[data-key]").forEach(function (other) { other.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", state.direction === 1 ? "ascending" : "descending");
      render();
    });
  });

  // A rule's bar in the chart lists that rule's findings.
  document.querySelectorAll(".bar[data-rule]").forEach(function (bar) {
    function pick() {
      var rule = bar.getAttribute("data-rule");
      if (!data.rule_totals[rule]) { return; }
      state.rule = rule;
      selects.rule.value = rule;
      state.page = 0;
      render();
      document.getElementById("findings-section").scrollIntoView();
    }
    bar.addEventListener("click", pick);
    bar.addEventListener("keydown", function (event) { if (event.key === "Enter") { pick(); } });
  });

  render();
}());
