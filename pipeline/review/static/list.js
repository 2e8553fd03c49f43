"use strict";
// The documents list: every document with its administrative fields, sortable and filterable,
// and how much of the review is left.

(() => {
  const { el, fill, get, status, app } = VN;
  const COLUMNS = [
    { key: "name", label: "Document" },
    { key: "doc_type", label: "Type" },
    { key: "number", label: "Number" },
    { key: "date", label: "Date", sortKey: (d) => d.date_iso || d.date },
    { key: "issuer", label: "Issuer" },
    { key: "pages", label: "Pages", numeric: true },
    { key: "flagged", label: "Words left", numeric: true },
    { key: "progress", label: "Reviewed", numeric: true, sortKey: progress },
  ];
  // Filters a link can set (the Overview's charts): ?type=, ?issuer= (exact), ?date= (the start of an ISO date).
  const LINK_FILTERS = [
    { key: "type", what: "type", test: (d, v) => d.doc_type === v },
    { key: "issuer", what: "issuer", test: (d, v) => d.issuer === v },
    { key: "date", what: "date", test: (d, v) => (d.date_iso || "").startsWith(v) },
  ];
  const params = new URLSearchParams(location.search);
  const linked = LINK_FILTERS.filter((f) => params.has(f.key)).map((f) => ({ ...f, value: params.get(f.key) }));
  let docs = [];
  let sort = { key: "name", dir: 1 };
  const filter = el("input", { type: "search", id: "filter", placeholder: "Filter: name, type, number, issuer, date…",
                               "aria-label": "Filter documents" });
  const onlyLeft = el("input", { type: "checkbox", id: "only-left" });
  const summary = el("div", { className: "summary", id: "summary" });
  const table = el("table", { className: "docs", id: "docs" });

  function showDate(d) { // an ISO date as Vietnamese offices write it (14/03/2025)
    if (!d.date_iso || d.date !== d.date_iso) return d.date;
    const [y, m, day] = d.date_iso.split("-");
    return `${day}/${m}/${y}`;
  }

  function progress(d) {
    const total = d.reviewed + d.flagged;
    return total ? d.reviewed / total : 1;
  }

  function sortValue(d, col) {
    const v = col.sortKey ? col.sortKey(d) : d[col.key];
    return typeof v === "string" ? v.toLocaleLowerCase("vi") : v;
  }

  function render() {
    const needle = filter.value.trim().toLocaleLowerCase("vi");
    const col = COLUMNS.find((c) => c.key === sort.key);
    const rows = docs
      .filter((d) => linked.every((f) => f.test(d, f.value)))
      .filter((d) => !onlyLeft.checked || d.flagged > 0)
      .filter((d) => !needle || [d.name, d.id, d.doc_type, d.number, d.date, d.issuer]
        .some((v) => (v || "").toLocaleLowerCase("vi").includes(needle)) || showDate(d).includes(needle))
      .sort((a, b) => {
        const x = sortValue(a, col), y = sortValue(b, col);
        if (x < y) return -sort.dir;
        if (x > y) return sort.dir;
        return a.id < b.id ? -1 : 1;
      });
    const head = el("tr", {}, COLUMNS.map((c) => {
      const active = c.key === sort.key;
      return el("th", { scope: "col", "aria-sort": active ? (sort.dir > 0 ? "ascending" : "descending") : "none",
                        className: c.numeric ? "num" : "" },
        el("button", { type: "button", className: "sort", dataset: { key: c.key },
                       onclick: () => { sort = { key: c.key, dir: active ? -sort.dir : 1 }; render(); } },
          c.label, active ? (sort.dir > 0 ? " ▲" : " ▼") : ""));
    }), el("th", { scope: "col", text: "" }));
    const body = rows.map((d) => {
      const pct = Math.round(progress(d) * 100);
      return el("tr", { dataset: { doc: d.id } },
        el("td", {}, el("a", { href: VN.pageUrl(d.id, 1), className: "doc-name", text: d.name }),
          d.id !== d.name.replace(/\.[^.]*$/, "") ? el("div", { className: "muted small", text: d.id }) : null),
        el("td", { text: d.doc_type }),
        el("td", { text: d.number }),
        el("td", { text: showDate(d), title: d.date_iso || null }),
        el("td", { text: d.issuer }),
        el("td", { className: "num", text: d.pages }),
        el("td", { className: "num" + (d.flagged ? " left" : ""), text: d.flagged }),
        el("td", { className: "num" },
          el("progress", { max: 100, value: pct, "aria-label": `${pct}% reviewed` }), ` ${pct}%`),
        el("td", { className: "actions" },
          d.flagged ? el("a", { className: "button primary", href: VN.url("/queue", { doc: d.id }), text: "Review" }) : null,
          el("a", { className: "button", href: VN.pageUrl(d.id, 1), text: "Pages" })));
    });
    fill(table, el("thead", {}, head), el("tbody", {}, body));
    if (!rows.length) table.append(el("tbody", {}, el("tr", {}, el("td", { colspan: 9, className: "muted",
      text: docs.length ? "No document matches the filter." : "No documents in this folder yet: run vnocr process first." }))));
  }

  function renderSummary(t) {
    const total = t.flagged + t.reviewed;
    const pct = total ? Math.round((t.reviewed / total) * 100) : 100;
    fill(summary,
      el("span", { className: "big", id: "words-left", text: `${t.flagged}` }), " words left to review · ",
      `${t.reviewed} reviewed · ${t.done} of ${t.documents} documents done `,
      el("progress", { max: 100, value: pct, "aria-label": `${pct}% of the review done` }),
      t.flagged ? el("a", { className: "button primary", href: "/queue", id: "review-all", text: "Review all flagged words" }) : null);
  }

  async function load() {
    try {
      const data = await get("/api/documents");
      docs = data.documents;
      renderSummary(data.totals);
      render();
    } catch (e) {
      status(e.message, "error");
    }
  }

  function linkedFilters() {
    if (!linked.length) return null;
    return el("p", { className: "linked-filter", id: "linked-filter" }, "Only documents whose ",
      linked.map((f, i) => [i ? " and " : "", `${f.what} is «${f.value || "not found"}»`]),
      " · ", el("a", { href: "/documents", text: "show all documents" }));
  }

  filter.addEventListener("input", render);
  onlyLeft.addEventListener("change", render);
  fill(app(),
    el("h1", { text: "Documents" }),
    summary,
    linkedFilters(),
    el("div", { className: "toolbar" }, filter, el("label", {}, onlyLeft, " only documents with words left")),
    table);
  VN.ensureName();
  load();
})();
