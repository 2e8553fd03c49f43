"use strict";
// The Overview: the archive's figures as numbers, charts and tables. The server lays the charts out
// (charts.py) as shapes; this only turns them into SVG elements, text always as text.

(() => {
  const { el, fill, get, status, app } = VN;
  const SVG = "http://www.w3.org/2000/svg";
  const ATTR = /^(x|y|x1|y1|x2|y2|width|height|class)$/;

  // Links the server made: paths of this app and anchors of this page, nothing else.
  function safeHref(href) {
    return typeof href === "string" && (href.startsWith("/") || href.startsWith("#")) && !href.startsWith("//") ? href : null;
  }

  function svg(tag, attrs) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) if (ATTR.test(k)) node.setAttribute(k, String(v));
    return node;
  }

  function shape(s) {
    const node = svg(s.tag === "rect" || s.tag === "line" ? s.tag : "text", s.attrs);
    if (s.tip) node.append(Object.assign(svg("title"), { textContent: s.tip }));
    if (s.text) node.append(document.createTextNode(s.text));
    const href = safeHref(s.href);
    if (!href) return node;
    const link = svg("a");
    link.setAttribute("href", href);
    link.append(node);
    return link;
  }

  function cell(c, numeric) {
    const href = safeHref(c.href);
    return el("td", { className: numeric ? "num" : c.raw ? "ov-raw" : "" },
      href ? el("a", { href, text: c.text }) : c.text);
  }

  function table(t) {
    const head = el("tr", {}, t.columns.map((name, i) => el("th", { scope: "col", className: t.numeric[i] ? "num" : "", text: name })));
    const rows = t.rows.map((row) => {
      const anchor = row.map((c) => c.anchor).find(Boolean);
      return el("tr", { id: anchor || null }, row.map((c, i) => cell(c, t.numeric[i])));
    });
    return el("table", { className: "ov-table" }, el("caption", { text: t.caption }), el("thead", {}, head), el("tbody", {}, rows));
  }

  function chart(c) {
    const picture = svg("svg", { width: c.width, height: c.height });
    picture.setAttribute("viewBox", `0 0 ${c.width} ${c.height}`);
    picture.setAttribute("aria-labelledby", `${c.id}-title ${c.id}-desc`);
    const title = Object.assign(svg("title"), { textContent: c.title, id: `${c.id}-title` });
    const desc = Object.assign(svg("desc"), { textContent: c.description, id: `${c.id}-desc` });
    picture.append(title, desc, ...c.shapes.map(shape));
    return el("figure", { className: "ov-chart", id: c.id },
      el("figcaption", { text: c.title }),
      el("p", { className: "ov-desc", text: c.description }),
      picture,
      el("details", {}, el("summary", { text: "Table of this chart" }), table(c.table)));
  }

  function stats(s) {
    return el("dl", { className: "ov-stats" }, s.items.map((it) => el("div", { className: "ov-stat" },
      el("dt", { text: it.label }), el("dd", { text: it.value }),
      it.note ? el("dd", { className: "ov-stat-note", text: it.note }) : null)));
  }

  const BLOCKS = { chart, table, stats, note: (n) => el("p", { className: "ov-note", text: n.text }) };

  function section(s) {
    return el("section", { className: "ov-section", id: s.id }, el("h2", { text: s.title }),
      s.blocks.map((b) => BLOCKS[b.type](b)));
  }

  async function load() {
    try {
      const data = await get("/api/overview");
      fill(app(),
        el("h1", { text: "Overview" }),
        el("p", { className: "ov-updated", id: "ov-updated", text: `Figures as of ${VN.when(data.updated)}.` }),
        el("ul", { className: "ov-toc" }, data.sections.map((s) => el("li", {}, el("a", { href: `#${s.id}`, text: s.title })))),
        data.sections.map(section));
      if (location.hash) {
        const target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
        if (target) target.scrollIntoView();
      }
    } catch (e) {
      status(e.message, "error");
    }
  }

  VN.ensureName();
  load();
})();
