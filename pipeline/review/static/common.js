"use strict";
// Shared helpers of the review pages. Data from the server is only ever put in the page
// as text (textContent / text nodes), never parsed as HTML.

const VN = (() => {
  const token = document.querySelector('meta[name="vnocr-token"]').content;
  const NAME_KEY = "vnocr.clerk";

  // el("p", {className: "x", text: "..."}, child, "text child", ...)
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "text") node.textContent = value;
      else if (key === "className") node.className = value;
      else if (key === "dataset") Object.assign(node.dataset, value);
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else if (key === "href" || key === "src") node.setAttribute(key, value); // URLs we build ourselves (see url())
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  // Replace a node's children (nulls and falses skipped, strings as text).
  function fill(node, ...children) {
    node.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
    return node;
  }

  function url(path, params) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params || {})) if (v !== undefined && v !== null && v !== "") q.set(k, v);
    const s = q.toString();
    return s ? `${path}?${s}` : path;
  }

  function param(name) {
    return new URLSearchParams(location.search).get(name);
  }

  class ApiError extends Error {
    constructor(status, data) {
      super((data && data.error) || `error ${status}`);
      this.status = status;
      this.data = data || {};
    }
  }

  async function request(method, path, body) {
    const init = { method, headers: {} };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.headers["X-Vnocr-Token"] = token;
      init.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(path, init);
    } catch (e) {
      throw new ApiError(0, { error: "the review server does not answer; is vnocr review still running?" });
    }
    let data = null;
    try { data = await res.json(); } catch (e) { data = null; }
    if (!res.ok) throw new ApiError(res.status, data);
    return data;
  }
  const get = (path, params) => request("GET", url(path, params));
  const post = (path, body) => request("POST", path, body);

  function status(message, kind) {
    const node = document.getElementById("status");
    node.textContent = message || "";
    node.className = "status" + (kind ? " " + kind : "");
  }

  // --- the clerk's name: asked once per browser, kept in localStorage
  function clerk() {
    return (localStorage.getItem(NAME_KEY) || "").trim();
  }

  function askName() {
    return new Promise((resolve) => {
      const input = el("input", { id: "clerk-input", type: "text", autocomplete: "name", required: true, maxlength: 60,
                                  value: clerk() });
      const form = el("form", { method: "dialog", className: "name-form" },
        el("h2", { text: "Who is reviewing?" }),
        el("p", { text: "Your name is saved with each correction (audit log). It is asked once on this computer." }),
        el("label", {}, "Name ", input),
        el("div", { className: "actions" }, el("button", { type: "submit", className: "primary", text: "Start" })));
      const dialog = el("dialog", { id: "clerk-dialog" }, form);
      dialog.addEventListener("cancel", (e) => { if (!clerk()) e.preventDefault(); });
      form.addEventListener("submit", (e) => {
        const name = input.value.trim();
        if (!name) { e.preventDefault(); input.focus(); return; }
        localStorage.setItem(NAME_KEY, name);
        showName();
        dialog.remove();
        resolve(name);
      });
      document.body.append(dialog);
      dialog.showModal();
      input.focus();
    });
  }

  function showName() {
    document.getElementById("clerk-name").textContent = clerk() || "?";
  }

  async function ensureName() {
    showName();
    return clerk() || askName();
  }

  document.getElementById("clerk-change").addEventListener("click", () => askName());

  // The line a word sits on, the word marked; the lines around it dimmed.
  function lineContext(context, wordId, shownText) {
    const line = el("div", { className: "ctx-line" });
    context.words.forEach((w, i) => {
      if (i) line.append(" ");
      if (w.id === wordId) line.append(el("mark", { text: shownText !== undefined ? shownText : w.text }));
      else line.append(w.text);
    });
    return el("div", { className: "context" },
      context.before ? el("div", { className: "ctx-around", text: context.before }) : null,
      line,
      context.after ? el("div", { className: "ctx-around", text: context.after }) : null);
  }

  function cropUrl(doc, word) {
    return url("/api/crop", { doc, word });
  }

  function pageUrl(doc, page, word) {
    return url("/page", { doc, page, word });
  }

  function when(iso) {
    if (!iso) return "";
    const d = new Date(iso);
    return isNaN(d) ? iso : d.toLocaleString();
  }

  function conflictMessage(word) {
    const who = word.who || "Someone";
    const at = word.when ? ` (${when(word.when)})` : "";
    return `${who}${at} already changed this word to «${word.text}».`;
  }

  function app() { return document.getElementById("app"); }

  return { el, fill, url, param, get, post, status, clerk, ensureName, lineContext, cropUrl, pageUrl, when,
           conflictMessage, app, ApiError };
})();
