"use strict";
// The search page: a query box with filters (type, dates, issuer) and the hits, each with its
// document, section path, page and snippet; matches in <mark>. Marks and đ are optional in the
// query (chuyen doi so finds chuyển đổi số). The query lives in the URL, so Back returns to it.
// Every piece of data goes in as text: snippets come split into plain and matched parts.

(() => {
  const { el, fill, get, status, app, ApiError } = VN;
  const PAGE_SIZE = 20;

  const query = el("input", { type: "search", id: "q", name: "q", placeholder: "e.g. chuyen doi so, \"dịch vụ công\", cải cách -thử",
                              "aria-label": "Words to search for", autocomplete: "off", maxlength: 500 });
  const type = el("select", { id: "f-type", name: "type" }, el("option", { value: "", text: "any type" }));
  const from = el("input", { type: "date", id: "f-from", name: "from" });
  const to = el("input", { type: "date", id: "f-to", name: "to" });
  const issuer = el("input", { type: "text", id: "f-issuer", name: "issuer", placeholder: "e.g. ubnd xa an phu", maxlength: 200 });
  const form = el("form", { className: "search-form", id: "search-form", role: "search" },
    el("label", { className: "q" }, "Search ", query),
    el("button", { type: "submit", className: "primary", id: "search-go", text: "Search" }),
    el("div", { className: "filters" },
      el("label", {}, "Type ", type),
      el("label", {}, "From ", from),
      el("label", {}, "To ", to),
      el("label", {}, "Issuer ", issuer),
      el("button", { type: "button", className: "link", id: "f-clear", text: "clear filters",
                     onclick: () => { type.value = from.value = to.value = issuer.value = ""; run(); } })));
  const help = el("p", { className: "muted small" },
    "Marks optional: ", el("code", { text: "dang uy" }), " finds «Đảng ủy». ",
    el("code", { text: "\"a phrase\"" }), ", ", el("code", { text: "prefix*" }), ", ",
    el("code", { text: "a OR b" }), ", ", el("code", { text: "-exclude" }), ".");
  const summary = el("p", { className: "search-summary", id: "search-summary", "aria-live": "polite" });
  const results = el("ol", { className: "hits", id: "hits" });
  const more = el("button", { type: "button", id: "more", text: "More results", hidden: true, onclick: () => load(true) });

  let shown = 0;
  let current = null; // the params of the search on screen

  function params() {
    return { q: query.value.trim(), type: type.value, from: from.value, to: to.value, issuer: issuer.value.trim() };
  }

  function showDate(iso) { // 2025-03-14 -> 14/03/2025, as offices write it
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
    return m ? `${m[3]}/${m[2]}/${m[1]}` : iso || "";
  }

  function marked(parts, className) {
    return el("span", { className }, (parts || []).map((p) => (p.mark ? el("mark", { text: p.text }) : p.text)));
  }

  function hitItem(h) {
    const page = h.page || h.page_start || 1;
    const title = [h.doc_type, h.number].filter(Boolean).join(" ") || h.name || h.doc;
    const meta = [h.date ? showDate(h.date) : null, h.issuer, h.name && h.name !== title ? h.name : null].filter(Boolean);
    const where = h.section ? `§ ${h.section}` : h.where;
    return el("li", { className: "hit", dataset: { doc: h.doc, page: String(page) } },
      el("div", { className: "hit-head" },
        el("a", { className: "hit-link", href: VN.pageUrl(h.doc, page), text: title }),
        el("span", { className: "hit-meta muted", text: meta.join(" · ") })),
      el("div", { className: "hit-where" },
        where ? el("span", { className: "hit-section", text: where }) : null,
        h.section_title ? marked(h.title_parts, "hit-title") : null,
        el("span", { className: "hit-page muted",
                     text: h.page_end && h.page_start && h.page_end !== h.page_start
                       ? `page ${page} (pages ${h.page_start}–${h.page_end})` : `page ${page}` })),
      marked(h.parts, "hit-snippet"));
  }

  async function load(append) {
    const p = append ? current : params();
    if (!p || !p.q) {
      fill(results);
      more.hidden = true;
      summary.textContent = "Type words to search for in every document of this folder.";
      return;
    }
    if (!append) {
      current = p;
      shown = 0;
      history.replaceState(null, "", VN.url("/search", p));
    }
    more.disabled = true;
    status(append ? "Loading more…" : "Searching…");
    try {
      const data = await get("/api/search", { ...p, limit: PAGE_SIZE, offset: shown });
      if (p !== current) return; // a newer search started meanwhile
      const items = data.hits.map(hitItem);
      if (append) results.append(...items);
      else fill(results, items);
      shown += data.hits.length;
      more.hidden = !data.more;
      summary.textContent = shown
        ? `${shown}${data.more ? "+" : ""} result${shown === 1 && !data.more ? "" : "s"} for «${p.q}»`
        : `No result for «${p.q}».`;
      status("");
    } catch (e) {
      if (!append) { fill(results); more.hidden = true; summary.textContent = ""; }
      status(e instanceof ApiError ? e.message : String(e), "error");
    } finally {
      more.disabled = false;
    }
  }

  function run() { load(false); }

  async function loadTypes() {
    try {
      const data = await get("/api/search/types");
      for (const t of data.types) type.append(el("option", { value: t.code, text: `${t.code} — ${t.name.toLocaleLowerCase("vi")}` }));
    } catch (e) { /* the filter still works as "any type" */ }
  }

  form.addEventListener("submit", (e) => { e.preventDefault(); run(); });
  for (const input of [type, from, to]) input.addEventListener("change", () => { if (query.value.trim()) run(); });

  async function start() {
    document.title = "Search · vnocr review";
    fill(app(), el("h1", { text: "Search the documents" }), form, help, summary, results, more);
    await loadTypes();
    query.value = VN.param("q") || "";
    type.value = VN.param("type") || "";
    from.value = VN.param("from") || "";
    to.value = VN.param("to") || "";
    issuer.value = VN.param("issuer") || "";
    run();
    query.focus();
  }

  start();
  VN.ensureName();
})();
