// Small DOM helpers shared by the pages: element building, messages, formatting.

// h("button", {class: "x", onclick: f}, "text", child, …): attributes starting with "on" are
// listeners; text children become text nodes (never parsed as HTML).
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else if (name === "class") el.className = value;
    else if (name === "dataset") Object.assign(el.dataset, value);
    else if (name in el && typeof value !== "string") el[name] = value;
    else el.setAttribute(name, value === true ? "" : value);
  }
  append(el, children);
  return el;
}

// An SVG element (the timeline); same call shape as h().
export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else if (value !== undefined && value !== null) el.setAttribute(name, value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function flash(message, kind = "info") {
  const box = document.getElementById("flash");
  box.replaceChildren(h("p", { class: `flash ${kind}` }, message));
  clearTimeout(flash.timer);
  flash.timer = setTimeout(() => box.replaceChildren(), kind === "error" ? 10000 : 5000);
}

// An inline error box for a form or a section: the API's message, readable by screen readers.
export function errorBox() {
  const box = h("p", { class: "error", role: "alert", hidden: true });
  box.show = (error) => {
    box.textContent = error ? (error.message || String(error)) : "";
    box.hidden = !error;
  };
  return box;
}

// Run an action from a button or form: disable it meanwhile, show the error where it belongs.
export async function act(control, box, action) {
  if (control) control.disabled = true;
  box?.show(null);
  try {
    return await action();
  } catch (error) {
    if (box) box.show(error);
    else flash(error.message, "error");
    return undefined;
  } finally {
    if (control) control.disabled = false;
  }
}

export function field(label, input, hint) {
  const id = input.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  input.id = id;
  const help = hint ? h("small", { id: `${id}-hint`, class: "hint" }, hint) : null;
  if (help) input.setAttribute("aria-describedby", help.id);
  return h("div", { class: "field" }, h("label", { for: id }, label), input, help);
}

export const badge = (status) => h("span", { class: `badge s-${status}` }, status);

export function seconds(value) {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  const total = Math.max(0, value);
  const m = Math.floor(total / 60);
  const s = total - m * 60;
  return `${m}:${s.toFixed(1).padStart(4, "0")}`;
}

export const when = (iso) => (iso ? new Date(iso).toLocaleString() : "–");

export function empty(title, text, ...actions) {
  return h("div", { class: "empty" }, h("h3", {}, title), h("p", {}, text), ...actions);
}

export const PROCESSING = new Set(["requested", "queued", "transcribing", "scoring", "polishing", "uploading"]);

// el.replaceChildren(...) without the null and false children that replaceChildren would
// write out as the text "null".
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}
