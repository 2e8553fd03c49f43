"use strict";
// Batch fix: the same wrong reading across the archive (every «Pang» that should be «Đảng»),
// previewed occurrence by occurrence, corrected in one action.

(() => {
  const { el, fill, get, post, status, app } = VN;
  let preview = null;

  const find = el("input", { type: "text", id: "find", lang: "vi", autocomplete: "off", spellcheck: "false",
                             value: VN.param("find") || "", required: true });
  const replace = el("input", { type: "text", id: "replace", lang: "vi", autocomplete: "off", spellcheck: "false",
                                value: VN.param("replace") || "" });
  const ignoreCase = el("input", { type: "checkbox", id: "ignore-case" });
  const form = el("form", { className: "batch-form", id: "batch-form" },
    el("label", {}, "Wrong reading ", find),
    el("label", {}, "Correct reading ", replace),
    el("label", { className: "toggle" }, ignoreCase, " also other capitalisations (PANG → ĐẢNG)"),
    el("button", { type: "submit", className: "primary", id: "preview", text: "Preview" }));
  const suggestions = el("div", { className: "suggestions", id: "suggestions" });
  const results = el("div", { id: "results" });

  function occurrence(it, i) {
    const check = el("input", { type: "checkbox", checked: true, dataset: { i }, "aria-label": `Correct occurrence ${i + 1}` });
    return el("li", { className: "occurrence", dataset: { doc: it.doc, word: it.word.id } },
      el("label", { className: "pick" }, check),
      el("div", { className: "occ-body" },
        el("div", { className: "occ-title" },
          el("a", { href: VN.pageUrl(it.doc, it.word.page, it.word.id), text: it.name }),
          el("span", { className: "muted", text: ` · page ${it.word.page}` }),
          el("span", { className: "change" }, " ", el("del", { text: it.word.text }), " → ", el("ins", { text: it.after }))),
        it.has_image ? el("div", { className: "crop small" },
          el("img", { src: VN.cropUrl(it.doc, it.word.id), loading: "lazy", alt: `The scan around «${it.word.text}»` })) : null,
        VN.lineContext({ ...it.context, before: "", after: "" }, it.word.id),
        el("div", { className: "outcome", role: "status" })));
  }

  function renderPreview() {
    const p = preview;
    if (!p.items.length) {
      fill(results, el("p", { id: "nothing", text: `No word reads «${p.find}».` }));
      return;
    }
    const list = el("ol", { className: "occurrences", id: "occurrences" }, p.items.map(occurrence));
    const apply = el("button", { type: "button", className: "primary", id: "apply", onclick: applyFix,
                                 disabled: !p.replace || null,
                                 text: `Correct ${p.items.length} occurrence${p.items.length === 1 ? "" : "s"}` });
    list.addEventListener("change", () => {
      const n = list.querySelectorAll("input[type=checkbox]:checked").length;
      apply.textContent = `Correct ${n} occurrence${n === 1 ? "" : "s"}`;
      apply.disabled = !n || !p.replace;
    });
    const all = el("button", { type: "button", className: "link", text: "select all / none", onclick: () => {
      const boxes = [...list.querySelectorAll("input[type=checkbox]")];
      const on = !boxes.every((b) => b.checked);
      boxes.forEach((b) => { b.checked = on; });
      list.dispatchEvent(new Event("change"));
    } });
    fill(results,
      el("p", { className: "preview-head" },
        `${p.total} occurrence${p.total === 1 ? "" : "s"} of «${p.find}»`,
        p.total > p.items.length ? ` (the first ${p.items.length} shown)` : "",
        p.replace ? ` → «${p.replace}»` : " — type the correct reading to apply", " · ", all),
      list,
      el("div", { className: "actions" }, apply));
  }

  async function runPreview() {
    status("");
    try {
      preview = await get("/api/batch/preview", { find: find.value, replace: replace.value, ignore_case: ignoreCase.checked ? "1" : "" });
      renderPreview();
    } catch (err) {
      status(err.message, "error");
    }
  }

  async function applyFix() {
    const who = await VN.ensureName();
    const list = document.getElementById("occurrences");
    const chosen = [...list.querySelectorAll("input[type=checkbox]:checked")].map((b) => preview.items[Number(b.dataset.i)]);
    if (!chosen.length) return;
    const button = document.getElementById("apply");
    button.disabled = true;
    try {
      const res = await post("/api/batch/apply", {
        find: preview.find, replace: preview.replace, ignore_case: preview.ignore_case, who,
        items: chosen.map((it) => ({ doc: it.doc, word: it.word.id, seen: it.word.seen, version: it.version })),
      });
      const mark = (doc, word, text, kind) => {
        const li = list.querySelector(`li[data-doc="${CSS.escape(doc)}"][data-word="${CSS.escape(word)}"]`);
        if (!li) return;
        li.classList.add(kind);
        li.querySelector(".outcome").textContent = text;
        const box = li.querySelector("input[type=checkbox]");
        box.checked = false;
        box.disabled = true;
      };
      for (const a of res.applied) mark(a.doc, a.word.id, `Corrected to «${a.word.text}».`, "applied");
      for (const c of res.conflicts) {
        if (c.word) mark(c.doc, c.word.id, "Not changed: " + VN.conflictMessage(c.word), "conflicted");
      }
      const msg = `Corrected ${res.applied.length} word${res.applied.length === 1 ? "" : "s"} in ${res.documents} document${res.documents === 1 ? "" : "s"}`;
      status(msg + (res.conflicts.length ? `; ${res.conflicts.length} changed by someone else meanwhile, left as they are.` : "."),
             res.conflicts.length ? "error" : "ok");
      const summary = el("p", { id: "batch-result", className: "result", text: msg + "." });
      results.prepend(summary);
      loadSuggestions();
    } catch (err) {
      status(err.message, "error");
      button.disabled = false;
    }
  }

  async function loadSuggestions() {
    try {
      const data = await get("/api/batch/suggestions");
      if (!data.suggestions.length) { fill(suggestions); return; }
      fill(suggestions,
        el("h2", { text: "Corrected elsewhere, still wrong here" }),
        el("ul", {}, data.suggestions.map((s) => el("li", {},
          el("button", { type: "button", className: "link", onclick: () => {
            find.value = s.find; replace.value = s.replace; runPreview();
          } }, el("del", { text: s.find }), " → ", el("ins", { text: s.replace })),
          el("span", { className: "muted", text: ` ${s.left} left` })))));
    } catch (err) {
      status(err.message, "error");
    }
  }

  form.addEventListener("submit", (e) => { e.preventDefault(); runPreview(); });
  fill(app(),
    el("h1", { text: "Batch fix" }),
    el("p", { className: "muted", text: "Correct the same wrong reading everywhere at once. Punctuation around a word is kept; nothing changes until you confirm." }),
    form, suggestions, results);
  VN.ensureName();
  loadSuggestions();
  if (find.value) runPreview();
  find.focus();
})();
