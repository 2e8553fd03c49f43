"use strict";
// The word queue: one flagged word at a time, keyboard first.
//   Enter        save what the box holds (at first: the suggestion)
//   1–9          pick an alternative and save (while the box is untouched; they type digits
//                into a handwritten number, day or month of the header)
//   typing       edit (the browser's own input method: Telex, VNI…)
//   Tab / Shift+Tab   next / previous word without saving
//   Ctrl+Z       undo the last saved correction (while the box is untouched)
//   Esc          put the suggestion back

(() => {
  const { el, fill, get, post, status, app, ApiError } = VN;
  const docFilter = VN.param("doc");
  let items = [];
  let index = 0;
  let left = 0;
  let pristine = true;
  let busy = false;
  let reloading = false;
  const LIMIT = 300; // the server sends at most this many words at a time
  const undoStack = [];

  const progressText = el("span", { id: "progress" });
  const progressBar = el("progress", { id: "progress-bar", max: 1, value: 0 });
  const title = el("div", { className: "card-title" });
  const figure = el("div", { className: "crop" });
  const fieldInfo = el("p", { className: "field-info", id: "field-info", hidden: true });
  const context = el("div", {});
  const ocrInfo = el("div", { className: "ocr-info" });
  const input = el("input", { id: "answer", type: "text", className: "answer", autocomplete: "off", spellcheck: "false",
                              lang: "vi", "aria-label": "Correct text of the word" });
  const alts = el("ol", { className: "alts", id: "alts" });
  const conflict = el("div", { className: "conflict", id: "conflict", hidden: true, role: "alert" });
  const buttons = el("div", { className: "actions" },
    el("button", { type: "button", className: "primary", id: "accept", text: "Save ⏎", onclick: () => save(input.value) }),
    el("button", { type: "button", id: "prev", text: "◀ Previous (Shift+Tab)", onclick: () => move(-1) }),
    el("button", { type: "button", id: "next", text: "Skip ▶ (Tab)", onclick: () => move(1) }),
    el("button", { type: "button", id: "undo", text: "Undo (Ctrl+Z)", onclick: () => undo() }));
  const card = el("section", { className: "card", id: "card" },
    title, fieldInfo, figure, context, ocrInfo,
    el("div", { className: "answer-row" }, input), alts, conflict, buttons,
    el("p", { className: "keys muted small",
              text: "Enter saves · 1–9 pick a suggestion · type to correct · Tab / Shift+Tab skip · Ctrl+Z undoes · Esc resets. To start with a digit, press Backspace first." }));
  const done = el("section", { className: "card done", id: "done", hidden: true });

  const current = () => items[index];
  const remaining = () => items.filter((it) => !it.done);

  function updateProgress() {
    const shown = remaining().length;
    const pos = items.slice(0, index + 1).filter((it) => !it.done).length;
    progressText.textContent = `${left} word${left === 1 ? "" : "s"} left` + (shown ? ` · word ${pos} of ${shown}` : "");
    const total = left + items.filter((it) => it.done).length;
    progressBar.max = total || 1;
    progressBar.value = total - left;
  }

  function showDone() {
    if (left > 0 && items.length >= LIMIT && !reloading) { reloading = true; load().finally(() => { reloading = false; }); return; }
    card.hidden = true;
    done.hidden = false;
    fill(done,
      el("h2", { text: "Queue cleared ✓" }),
      el("p", { text: left ? `${left} flagged words remain elsewhere.` : "No flagged words are left here." }),
      el("p", {}, el("a", { className: "button primary", href: "/documents", text: "Back to the documents" }), " ",
        docFilter ? el("a", { className: "button", href: VN.pageUrl(docFilter, 1), text: "See the pages" }) : null,
        undoStack.length ? el("button", { type: "button", text: "Undo the last correction (Ctrl+Z)", onclick: undo }) : null));
    updateProgress();
  }

  function render() {
    const it = current();
    if (!it || it.done) { showDone(); return; }
    card.hidden = false;
    done.hidden = true;
    conflict.hidden = true;
    const w = it.word;
    fill(title,
      el("a", { href: VN.pageUrl(it.doc, w.page, w.id), text: it.name, title: "Open the page view" }),
      el("span", { className: "muted", text: ` · page ${w.page}` }),
      w.source === "clerk" && w.who ? el("span", { className: "muted", text: ` · last saved by ${w.who}` }) : null);
    if (it.has_image) {
      fill(figure, el("img", { src: VN.cropUrl(it.doc, w.id), alt: `The scan around the word «${w.text}»`,
                                         id: "crop-img" }));
    } else {
      fill(figure, el("p", { className: "no-image muted", text: "Text input — no page image. Judge from the line." }));
    }
    showField(it);
    fill(context, VN.lineContext(it.context, w.id));
    fill(ocrInfo,
      "OCR read ", el("code", { className: "ocr", text: w.ocr }),
      ` · confidence ${Math.round(w.conf * 100)}%`,
      w.text !== w.ocr ? el("span", {}, " · suggestion ", el("b", { className: "suggestion", text: w.text })) : null);
    fill(alts, ...w.alternatives.map((a, i) =>
      el("li", {}, el("button", { type: "button", className: "alt", dataset: { n: i + 1 },
                                  onclick: () => save(a) }, el("kbd", { text: String(i + 1) }), " ", a))));
    alts.hidden = !w.alternatives.length;
    reset();
    updateProgress();
    preload();
  }

  // A handwritten number, day or month of the header: say which field it makes and its value now.
  function showField(it) {
    const f = it.field;
    fieldInfo.hidden = !f;
    if (!f) { input.setAttribute("aria-label", "Correct text of the word"); return; }
    const blank = { number: "number", day: "day of the date", month: "month of the date" }[it.word.fill_in];
    const from = f.from ? ` (from the ${f.from})` : "";
    fill(fieldInfo,
      el("b", { text: `Handwritten ${blank}` }),
      ` · the document's ${f.name} now: `,
      el("span", { className: "field-now", text: f.now || "none" }), from,
      ". Type the digits you read, or leave the box empty if they cannot be read.");
    input.setAttribute("aria-label", `Handwritten ${blank}: the digits`);
  }

  function reset() {
    const it = current();
    input.value = it ? it.word.text : "";
    pristine = true;
    input.focus();
    input.select();
  }

  function preload() {
    for (let k = index + 1; k < Math.min(items.length, index + 4); k++) {
      const it = items[k];
      if (!it.done && it.has_image) new Image().src = VN.cropUrl(it.doc, it.word.id);
    }
  }

  function move(step) {
    if (!remaining().length) { showDone(); return; }
    let k = index;
    for (let n = 0; n < items.length; n++) {
      k = (k + step + items.length) % items.length;
      if (!items[k].done) break;
    }
    index = k;
    render();
  }

  function setVersion(doc, version) {
    for (const it of items) if (it.doc === doc) it.version = version;
  }

  function showConflict(it, err, text) {
    const theirs = err.data.word;
    setVersion(it.doc, err.data.version);
    conflict.hidden = false;
    fill(conflict,
      el("p", { text: VN.conflictMessage(theirs) }),
      el("p", { text: `Your value: «${text}». Nothing was overwritten.` }),
      el("button", { type: "button", id: "keep-theirs", text: "Keep theirs", onclick: () => {
        it.word = theirs;
        if (!theirs.flag) { it.done = true; left = Math.max(0, left - 1); move(1); } else render();
        status("Kept the other clerk's value.");
      } }),
      " ",
      el("button", { type: "button", id: "use-mine", className: "primary", text: "Use mine", onclick: () => {
        it.word = theirs;
        save(text);
      } }));
    status("Conflict: this word was changed by someone else.", "error");
    document.getElementById("use-mine").focus();
  }

  async function save(text) {
    const it = current();
    if (!it || it.done || busy) return;
    const who = await VN.ensureName();
    busy = true;
    const before = { text: it.word.text, flag: it.word.flag };
    try {
      const res = await post("/api/correct", { doc: it.doc, word: it.word.id, text, who, version: it.version,
                                                seen: it.word.seen });
      setVersion(it.doc, res.version);
      undoStack.push({ item: it, before, after: res.word });
      it.word = res.word;
      it.done = true;
      left = Math.max(0, left - 1);
      status(`Saved «${res.word.text}»` + (res.merged ? " (merged with another clerk's edits of this document)" : "") + ".", "ok");
      move(1);
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) showConflict(it, err, text);
      else status(err.message, "error");
    } finally {
      busy = false;
    }
  }

  async function undo() {
    const last = undoStack.pop();
    if (!last || busy) { if (!last) status("Nothing to undo."); return; }
    busy = true;
    const it = last.item;
    try {
      const res = await post("/api/correct", { doc: it.doc, word: it.word.id, text: last.before.text, who: VN.clerk(),
                                                version: it.version, seen: last.after.seen, flag: last.before.flag,
                                                restore: true });
      setVersion(it.doc, res.version);
      it.word = res.word;
      it.done = !res.word.flag;
      if (!it.done) left += 1;
      if (!items.includes(it)) items.splice(index, 0, it);
      index = items.indexOf(it);
      status(`Undone: the word is «${res.word.text}» again.`, "ok");
      render();
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) status("Cannot undo: " + VN.conflictMessage(err.data.word), "error");
      else { undoStack.push(last); status(err.message, "error"); }
    } finally {
      busy = false;
    }
  }

  input.addEventListener("input", () => { pristine = false; });
  input.addEventListener("keydown", (e) => {
    if (e.isComposing || e.keyCode === 229) return; // the input method is composing a letter
    if (e.key === "Enter") { e.preventDefault(); save(input.value); }
    else if (e.key === "Tab") { e.preventDefault(); move(e.shiftKey ? -1 : 1); }
    else if (e.key === "Escape") { e.preventDefault(); reset(); }
    else if ((e.ctrlKey || e.metaKey) && !e.shiftKey && e.key.toLowerCase() === "z" && pristine) { e.preventDefault(); undo(); }
    else if (pristine && !e.ctrlKey && !e.metaKey && !e.altKey && /^[1-9]$/.test(e.key) && !current()?.word.fill_in) {
      // (a handwritten number, day or month is typed in digits: there the digit keys type)
      const alt = current() && current().word.alternatives[Number(e.key) - 1];
      e.preventDefault();
      if (alt !== undefined) save(alt);
      else status(`There is no suggestion ${e.key}.`);
    }
  });
  // Keys pressed while the focus is elsewhere (after a click on the image…) still drive the queue.
  document.addEventListener("keydown", (e) => {
    if (e.target === input || e.target.closest("dialog")) return;
    if (e.ctrlKey && e.key.toLowerCase() === "z") { e.preventDefault(); undo(); return; }
    if (e.key === "Tab" && !card.hidden && !e.target.closest(".conflict")) { e.preventDefault(); move(e.shiftKey ? -1 : 1); }
  });

  async function load() {
    try {
      const data = await get("/api/queue", { doc: docFilter });
      items = data.items;
      left = data.left;
      index = 0;
      render();
    } catch (err) {
      status(err.message, "error");
    }
  }

  fill(app(),
    el("div", { className: "queue-head" },
      el("h1", { text: docFilter ? "Word queue · " : "Word queue · all documents" },
        docFilter ? el("span", { className: "muted", text: docFilter }) : null),
      el("div", { className: "queue-progress" }, progressText, " ", progressBar)),
    card, done);
  VN.ensureName().then(() => { if (!card.hidden) input.focus(); });
  load();
})();
