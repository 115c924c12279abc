// The workbench editor: check the rule as it is typed, run cases, diff, try, explain, save.
// Plain JavaScript, no library: every action is a POST with the page's CSRF token.
"use strict";

(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;

  async function post(url, body, raw) {
    const headers = {"X-CSRF-Token": csrf};
    if (!raw) headers["Content-Type"] = "application/json";
    const response = await fetch(url, {method: "POST", headers, credentials: "same-origin",
                                       body: raw ? body : JSON.stringify(body)});
    let data;
    try { data = await response.json(); } catch (e) { data = {error: await response.text()}; }
    if (!response.ok && !data.error) data.error = "the workbench refused the request (" + response.status + ")";
    return data;
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v; else node.setAttribute(k, v);
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  function plural(n, noun) { return n + " " + noun + (n === 1 ? "" : "s"); }

  function filterRules() {
    const box = document.getElementById("rule-filter");
    if (!box) return;
    box.addEventListener("input", () => {
      const words = box.value.toLowerCase().trim();
      document.querySelectorAll(".rule-row").forEach((row) => {
        row.hidden = words && !row.dataset.search.includes(words);
      });
    });
  }

  function editor() {
    const form = document.getElementById("editor");
    if (!form) return;
    const file = form.dataset.file, rule = form.dataset.rule;
    const fields = Array.from(form.querySelectorAll(".field textarea, .field select"));
    const saved = Object.fromEntries(fields.map((f) => [f.name, f.value]));
    const state = document.getElementById("state");

    function values() { return Object.fromEntries(fields.map((f) => [f.name, f.value])); }
    function edit(extra) { return Object.assign({file, rule, values: values()}, extra || {}); }
    function changed() { return fields.some((f) => f.value !== saved[f.name]); }

    function errorBox(container, message) {
      container.replaceChildren(el("p", {class: "error-text"}, message));
    }

    function showIssues(issues) {
      form.querySelectorAll(".issues").forEach((box) => box.replaceChildren());
      fields.forEach((f) => f.removeAttribute("aria-invalid"));
      let errors = 0;
      for (const issue of issues) {
        if (issue.severity === "error") errors += 1;
        const box = document.getElementById("issues-" + (issue.field || "other"));
        const item = el("div", {class: "issue issue-" + issue.severity});
        item.append(el("strong", {}, issue.severity === "error" ? "Error: " : "Warning: "), issue.message);
        if (issue.hint) item.append(el("div", {class: "hint"}, "Hint: " + issue.hint));
        if (issue.field) {
          const input = document.getElementById("f-" + issue.field);
          if (issue.severity === "error") input.setAttribute("aria-invalid", "true");
          if (issue.field !== "severity" && issue.offset !== null) {
            // The field's text with a caret under the character the error points at.
            const text = input.value;
            const lineStart = text.lastIndexOf("\n", issue.offset - 1) + 1;
            let lineEnd = text.indexOf("\n", issue.offset);
            if (lineEnd < 0) lineEnd = text.length;
            const caret = " ".repeat(Math.max(0, issue.offset - lineStart)) + "^";
            item.append(el("pre", {class: "caret"}, text.slice(lineStart, lineEnd) + "\n" + caret));
          }
        } else if (issue.line) {
          item.append(el("pre", {class: "caret"}, "line " + issue.line + ": " + issue.source.trim()));
        }
        box.append(item);
      }
      state.textContent = errors ? errors + (errors === 1 ? " error" : " errors")
        : (changed() ? "Changed, not saved — no errors" : "No changes yet");
      state.className = "state " + (errors ? "state-error" : (changed() ? "state-changed" : ""));
    }

    let timer = null, sequence = 0;
    async function check() {
      const mine = ++sequence;
      const data = await post("/api/check", edit());
      if (mine !== sequence) return;  // a later check is under way
      if (data.error) { state.textContent = "Cannot check"; errorBox(document.getElementById("issues-other"), data.error); return; }
      showIssues(data.issues);
    }
    fields.forEach((f) => f.addEventListener("input", () => {
      state.textContent = "Checking…";
      clearTimeout(timer);
      timer = setTimeout(check, 300);
    }));

    async function runCases(scope) {
      const out = document.getElementById("cases");
      out.replaceChildren(el("p", {class: "muted"}, "Running…"));
      const data = await post("/api/cases", edit({scope}));
      if (data.error) return errorBox(out, data.error);
      if (data.errors) return errorBox(out, "The rule has errors; fix them first.");
      const failed = data.results.filter((r) => !r.passed);
      const summary = el("p", {class: "summary " + (failed.length ? "bad" : "good"), id: "cases-summary"},
        failed.length ? failed.length + " of " + data.results.length + " cases fail"
                      : "All " + data.results.length + " cases pass" + (scope === "pack" ? " (whole pack)" : ""));
      const table = el("table", {class: "cases"},
        el("thead", {}, el("tr", {}, el("th", {}, "Result"), el("th", {}, "Case"), el("th", {}, "Expected to fire"))));
      const body = el("tbody");
      // The cases that matter here: the failing ones, and (for one rule) those where it fires;
      // the passing rest are counted.
      const shown = data.results.filter((r) => !r.passed || (scope === "rule" && r.fires));
      const rest = data.results.length - shown.length;
      for (const r of shown) {
        const row = el("tr", {}, el("td", {}, el("span", {class: "status status-" + (r.passed ? "passed" : "failed")}, r.passed ? "pass" : "FAIL")),
          el("td", {}, r.name, el("div", {class: "small muted"}, r.file + ", line " + r.line)),
          el("td", {}, r.expect === "" ? "none (a clean record)" : r.expect));
        body.append(row);
        if (!r.passed) body.append(el("tr", {class: "why"}, el("td", {colspan: "3"}, el("pre", {}, r.explain.join("\n")))));
      }
      table.append(body);
      const gaps = data.gaps.map((g) => el("p", {class: "small warn"}, g.rule + ": " + g.gaps.join("; ")));
      const more = rest ? [el("p", {class: "small muted"}, rest + " other case" + (rest === 1 ? "" : "s") +
        (scope === "rule" ? " check this rule and pass." : " pass."))] : [];
      out.replaceChildren(summary, ...(shown.length ? [table] : []), ...more, ...gaps);
    }
    document.getElementById("run-rule-cases").addEventListener("click", () => runCases("rule"));
    document.getElementById("run-pack-cases").addEventListener("click", () => runCases("pack"));

    document.getElementById("show-diff").addEventListener("click", async () => {
      const out = document.getElementById("diff");
      out.hidden = false;
      const data = await post("/api/diff", edit());
      if (data.error) return errorBox(out, data.error);
      if (!data.changed) { out.replaceChildren(el("h2", {}, "Changes"), el("p", {class: "muted"}, "No change from the saved file.")); return; }
      const list = el("ul", {class: "changes"});
      for (const c of data.changes) list.append(el("li", {}, el("strong", {}, c.aspect), ": ",
        el("del", {}, c.old === null ? "(none)" : c.old), " → ", el("ins", {}, c.new === null ? "(none)" : c.new)));
      const pre = el("pre", {class: "diff"});
      for (const line of data.lines) {
        const kind = line.startsWith("+") && !line.startsWith("+++") ? "add" : line.startsWith("-") && !line.startsWith("---") ? "del" : "ctx";
        pre.append(el("span", {class: "d-" + kind}, line + "\n"));
      }
      out.replaceChildren(el("h2", {}, "Changes against the saved file"), list, pre);
    });

    let upload = null;
    document.getElementById("upload").addEventListener("change", async (event) => {
      const chosen = event.target.files[0];
      const out = document.getElementById("impact");
      if (!chosen) { upload = null; return; }
      out.replaceChildren(el("p", {class: "muted"}, "Uploading…"));
      const response = await fetch("/api/upload", {method: "POST", credentials: "same-origin",
        headers: {"X-CSRF-Token": csrf, "X-File-Name": chosen.name}, body: chosen});
      const data = await response.json();
      if (data.error) { upload = null; return errorBox(out, data.error); }
      upload = data.upload;
      document.getElementById("sample").value = "";
      out.replaceChildren(el("p", {class: "muted"}, "Uploaded " + data.name + ". Press “Try it”."));
    });
    function sample() {
      const chosen = document.getElementById("sample").value;
      return chosen ? {sample: chosen} : (upload ? {upload} : {});
    }
    const showValues = () => document.getElementById("show-values").checked;

    async function tryIt() {
      const out = document.getElementById("impact");
      out.replaceChildren(el("p", {class: "muted"}, "Running…"));
      const data = await post("/api/try", edit(Object.assign({show_values: showValues()}, sample())));
      if (data.error) return errorBox(out, data.error);
      if (data.errors) return errorBox(out, "The rule has errors; fix them first.");
      const parts = [el("p", {class: "summary", id: "impact-summary"}, data.records + " records read; " +
        (data.per_rule.length ? plural(new Set(data.changes.map((c) => c.record)).size, "record") + " would change result"
                              : "no record's result changes"))];
      if (data.per_rule.length) {
        const t = el("table", {class: "impact"}, el("thead", {}, el("tr", {}, el("th", {}, "Rule"), el("th", {}, "Records newly failing"), el("th", {}, "Records newly passing"))));
        const b = el("tbody");
        for (const r of data.per_rule) b.append(el("tr", {}, el("td", {}, r.rule), el("td", {class: "num bad"}, r.fails), el("td", {class: "num good"}, r.passes)));
        t.append(b); parts.push(t);
        const list = el("ul", {class: "small"});
        for (const c of data.changes) list.append(el("li", {}, "record " + c.record + " (line " + c.line + "): " + c.rule + " on " + c.field + " now " + c.now));
        parts.push(list);
      }
      parts.push(el("h3", {}, "Findings of " + rule + " with the change (" + data.findings.length + (data.more_findings ? "+" + data.more_findings : "") + ")"));
      if (data.findings.length) {
        const t = el("table", {class: "findings"}, el("thead", {}, el("tr", {}, el("th", {}, "Record"), el("th", {}, "Field"), el("th", {}, "Value"), el("th", {}, "Message"))));
        const b = el("tbody");
        for (const f of data.findings) b.append(el("tr", {}, el("td", {class: "num"}, f.record), el("td", {}, f.field || ""),
          el("td", {class: f.value === "(hidden)" ? "masked" : ""}, f.value === null ? "(blank)" : f.value), el("td", {}, f.message)));
        t.append(b); parts.push(t);
      }
      out.replaceChildren(...parts);
    }
    document.getElementById("try").addEventListener("click", tryIt);
    document.getElementById("show-values").addEventListener("change", () => {
      if (document.getElementById("impact").childElementCount) tryIt();
    });

    document.getElementById("explain").addEventListener("click", async () => {
      const out = document.getElementById("explanation");
      out.hidden = false;
      const data = await post("/api/explain", edit(Object.assign({show_values: showValues(),
        record: parseInt(document.getElementById("record").value, 10)}, sample())));
      out.textContent = data.error || (data.errors ? "The rule has errors; fix them first." : data.text);
    });

    document.getElementById("save").addEventListener("click", async () => {
      const out = document.getElementById("save-result");
      const data = await post("/api/save", edit());
      if (data.error) return errorBox(out, data.error);
      if (!data.saved) {
        showIssues(data.errors);
        return errorBox(out, "Not saved: the pack would not load with this change. Fix the errors shown.");
      }
      fields.forEach((f) => { saved[f.name] = f.value; });
      const diffHeading = document.querySelector("#diff h2");
      if (diffHeading) diffHeading.textContent = "What this save changed in the file";
      out.replaceChildren(el("p", {class: "good", id: "saved"}, "Saved to " + file + ". Only this rule’s lines changed."));
      state.textContent = "Saved"; state.className = "state state-saved";
    });
  }

  document.addEventListener("DOMContentLoaded", () => { filterRules(); editor(); });
})();
