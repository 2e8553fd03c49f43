"use strict";
// The page view: the page image with the recognized words over it (flagged and low-confidence
// words highlighted); click any word to correct it. Text inputs (no image) show their lines.

(() => {
  const { el, fill, get, post, status, app, ApiError } = VN;
  const docId = VN.param("doc");
  let data = null;
  let pageNo = Number(VN.param("page")) || 1;
  let selected = null; // {word, box}
  const boxes = new Map(); // word id -> element

  const showText = el("input", { type: "checkbox", id: "show-text", checked: true });
  const sheetHolder = el("div", { className: "sheet-holder" });
  const editor = el("aside", { className: "editor", id: "editor", "aria-live": "polite" });
  const nav = el("div", { className: "page-nav" });

  function classes(w) {
    return "wbox" + (w.flag ? " flagged" : w.low ? " low" : "") + (w.source === "clerk" ? " clerk" : "");
  }

  function idle() {
    fill(editor, el("p", { className: "muted", text: "Click a word (or Tab to it and press Enter) to correct it." }));
  }

  // The height of a line's letters: the median height of its word boxes, so that one wrong box
  // (a seal or a stroke taken into a word) does not enlarge the text of the whole line.
  function letterHeight(line) {
    const heights = line.words.filter((w) => w.bbox).map((w) => w.bbox[3] - w.bbox[1]).sort((a, b) => a - b);
    return heights.length ? heights[Math.floor(heights.length / 2)] : 0;
  }

  // Squeeze each word's text to its box's width (a box narrower than its text: a wrong box, or a
  // correction longer than what was read). Both sizes follow the sheet's width, so the ratio holds.
  function fitText(boxList) {
    const texts = boxList.map((box) => box.firstChild);
    for (const t of texts) t.style.transform = "";
    const widths = boxList.map((box, i) => [box.clientWidth, texts[i].offsetWidth]);
    widths.forEach(([room, need], i) => {
      if (need > room && room > 0) texts[i].style.transform = `scaleX(${room / need})`;
    });
  }

  function wordBox(w, page, line) {
    const box = el("button", { type: "button", className: classes(w), dataset: { word: w.id },
                               title: `${w.text}  (OCR: ${w.ocr}, ${Math.round(w.conf * 100)}%)`,
                               onclick: () => select(w.id) }, el("span", { className: "wtext", text: w.text }));
    if (w.bbox && page.width && page.height) {
      const [x0, y0, x1, y1] = w.bbox;
      box.style.left = `${(x0 / page.width) * 100}%`;
      box.style.top = `${(y0 / page.height) * 100}%`;
      box.style.width = `${((x1 - x0) / page.width) * 100}%`;
      box.style.height = `${((y1 - y0) / page.height) * 100}%`;
      const h = Math.min(y1 - y0, line ? letterHeight(line) : y1 - y0); // one size for the whole line
      box.style.fontSize = `${((h * 0.78) / page.width) * 100}cqw`;
    }
    boxes.set(w.id, box);
    return box;
  }

  function renderPage() {
    const page = data.pages.find((p) => p.number === pageNo) || data.pages[0];
    if (!page) { fill(sheetHolder, el("p", { text: "This document has no pages." })); return; }
    pageNo = page.number;
    boxes.clear();
    const flagged = data.pages.reduce((n, p) => n + p.lines.reduce((m, l) => m + l.words.filter((w) => w.flag).length, 0), 0);
    fill(nav,
      el("button", { type: "button", id: "page-prev", disabled: pageNo <= data.pages[0].number || null,
                     onclick: () => go(pageNo - 1), text: "◀" }),
      el("span", { id: "page-label", text: ` Page ${pageNo} of ${data.pages.length} ` }),
      el("button", { type: "button", id: "page-next", disabled: pageNo >= data.pages[data.pages.length - 1].number || null,
                     onclick: () => go(pageNo + 1), text: "▶" }),
      el("label", { className: "toggle" }, showText, " show recognized text"),
      el("span", { className: "legend" },
        el("span", { className: "swatch flagged", text: "flagged" }),
        el("span", { className: "swatch low", text: "low confidence" }),
        el("span", { className: "swatch clerk", text: "corrected" })),
      flagged ? el("a", { className: "button primary", href: VN.url("/queue", { doc: docId }), text: `Review ${flagged} flagged` }) : null);
    if (page.has_image) {
      const sheet = el("div", { className: "sheet" + (showText.checked ? " with-text" : ""), id: "sheet" },
        el("img", { src: VN.url("/api/image", { doc: docId, page: page.number }), alt: `Page ${page.number}`,
                    className: "scan" }));
      for (const line of page.lines) for (const w of line.words) if (w.bbox) sheet.append(wordBox(w, page, line));
      fill(sheetHolder, sheet);
      fitText([...boxes.values()]);
    } else {
      const text = el("div", { className: "textpage", id: "sheet" });
      for (const line of page.lines) {
        const p = el("p", { className: "tline" });
        line.words.forEach((w, i) => { if (i) p.append(" "); p.append(wordBox(w, page)); });
        text.append(p);
      }
      if (!page.lines.length) text.append(el("p", { className: "muted", text: "(empty page)" }));
      fill(sheetHolder, el("p", { className: "muted small", text: "Text input — no page image." }), text);
    }
  }

  function go(n) {
    pageNo = n;
    history.replaceState(null, "", VN.url("/page", { doc: docId, page: n }));
    idle();
    renderPage();
  }

  function findWord(id) {
    for (const page of data.pages) for (const line of page.lines) {
      const i = line.words.findIndex((w) => w.id === id);
      if (i >= 0) return { page, line, index: i, word: line.words[i] };
    }
    return null;
  }

  function replaceWord(w) {
    const found = findWord(w.id);
    if (found) found.line.words[found.index] = w;
    const box = boxes.get(w.id);
    if (box) {
      box.firstChild.textContent = w.text;
      box.className = classes(w);
      if (box.style.width) fitText([box]);
      box.title = `${w.text}  (OCR: ${w.ocr}, ${Math.round(w.conf * 100)}%)`;
    }
  }

  function select(id) {
    const found = findWord(id);
    if (!found) return;
    if (found.page.number !== pageNo) { pageNo = found.page.number; renderPage(); }
    const w = found.word;
    for (const b of boxes.values()) b.classList.remove("selected");
    const box = boxes.get(id);
    if (box) { box.classList.add("selected"); box.scrollIntoView({ block: "nearest" }); }
    selected = { id };
    const input = el("input", { type: "text", id: "edit-input", className: "answer", value: w.text, lang: "vi",
                                autocomplete: "off", spellcheck: "false", "aria-label": "Correct text of the word" });
    const context = { before: "", after: "", words: found.line.words.map((x) => ({ id: x.id, text: x.text })) };
    const conflict = el("div", { className: "conflict", hidden: true, role: "alert", id: "edit-conflict" });
    const save = (text) => saveWord(w, text, conflict);
    input.addEventListener("keydown", (e) => {
      if (e.isComposing || e.keyCode === 229) return;
      if (e.key === "Enter") { e.preventDefault(); save(input.value); }
      else if (e.key === "Escape") { e.preventDefault(); close(); }
    });
    fill(editor,
      el("h2", { text: "Correct a word" }),
      w.bbox && found.page.has_image ? el("div", { className: "crop" },
        el("img", { src: VN.cropUrl(docId, w.id), alt: `The scan around «${w.text}»` })) : null,
      VN.lineContext(context, w.id),
      el("p", { className: "ocr-info" }, "OCR read ", el("code", { className: "ocr", text: w.ocr }),
        ` · confidence ${Math.round(w.conf * 100)}%`,
        w.source === "clerk" && w.who ? ` · saved by ${w.who} ${VN.when(w.when)}` : ""),
      el("div", { className: "answer-row" }, input),
      w.alternatives.length ? el("ol", { className: "alts" }, w.alternatives.map((a) =>
        el("li", {}, el("button", { type: "button", className: "alt", onclick: () => save(a) }, a)))) : null,
      conflict,
      el("div", { className: "actions" },
        el("button", { type: "button", className: "primary", id: "edit-save", text: "Save ⏎", onclick: () => save(input.value) }),
        el("button", { type: "button", id: "edit-cancel", text: "Cancel (Esc)", onclick: close })));
    input.focus();
    input.select();
  }

  function close() {
    const box = selected && boxes.get(selected.id);
    selected = null;
    for (const b of boxes.values()) b.classList.remove("selected");
    idle();
    if (box) box.focus();
  }

  async function saveWord(w, text, conflict) {
    const who = await VN.ensureName();
    try {
      const res = await post("/api/correct", { doc: docId, word: w.id, text, who, version: data.version, seen: w.seen });
      data.version = res.version;
      replaceWord(res.word);
      status(`Saved «${res.word.text}»` + (res.merged ? " (merged with another clerk's edits of this document)" : "") + ".", "ok");
      close();
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 409)) { status(err.message, "error"); return; }
      const theirs = err.data.word;
      data.version = err.data.version;
      conflict.hidden = false;
      fill(conflict,
        el("p", { text: VN.conflictMessage(theirs) }),
        el("p", { text: `Your value: «${text}». Nothing was overwritten.` }),
        el("button", { type: "button", id: "keep-theirs", text: "Keep theirs",
                       onclick: () => { replaceWord(theirs); close(); status("Kept the other clerk's value."); } }),
        " ",
        el("button", { type: "button", className: "primary", id: "use-mine", text: "Use mine",
                       onclick: () => { replaceWord(theirs); saveWord(theirs, text, conflict); } }));
      status("Conflict: this word was changed by someone else.", "error");
    }
  }

  showText.addEventListener("change", () => {
    const sheet = document.getElementById("sheet");
    if (sheet) sheet.classList.toggle("with-text", showText.checked);
  });

  async function load() {
    if (!docId) { fill(app(), el("p", { text: "No document chosen." })); return; }
    try {
      data = await get("/api/document", { doc: docId });
    } catch (err) {
      fill(app(), el("h1", { text: "Document not found" }), el("p", { text: err.message }));
      return;
    }
    document.title = `${data.name} · vnocr review`;
    fill(app(),
      el("h1", {}, data.name, " ", el("span", { className: "muted small", text: docId })),
      nav,
      el("div", { className: "page-layout" }, sheetHolder, editor));
    idle();
    renderPage();
    const wanted = VN.param("word");
    if (wanted) select(wanted);
  }

  VN.ensureName();
  load();
})();
