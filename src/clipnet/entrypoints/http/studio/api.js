// The one way the studio talks to ClipNET: the public HTTP API, with the bearer token.
// It refreshes an expired access token once (POST /auth/refresh) and turns a problem
// document (RFC 9457) into an ApiError whose message is the problem's `detail`.

const BASE = (document.querySelector('meta[name="clipnet-api"]')?.content || "").replace(/\/$/, "");
const KEY = "clipnet.session";

export class ApiError extends Error {
  constructor(status, message, type = "") {
    super(message);
    this.status = status;
    this.type = type;
  }
}

export const session = {
  get() {
    try {
      return JSON.parse(localStorage.getItem(KEY) || "null");
    } catch {
      return null;
    }
  },
  set(tokens) {
    localStorage.setItem(KEY, JSON.stringify({
      access: tokens.access_token, refresh: tokens.refresh_token, user: tokens.user,
    }));
  },
  clear() {
    localStorage.removeItem(KEY);
  },
  get signedIn() {
    return Boolean(this.get()?.access);
  },
};

export const url = (path) => BASE + path;

// A problem's `detail` (or its title), with field errors spelled out; never a stack trace.
async function problemOf(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    /* not JSON: fall through to a plain message */
  }
  if (body && typeof body === "object") {
    const fields = Array.isArray(body.errors)
      ? body.errors.map((e) => [e.key, e.message].filter(Boolean).join(": ")).join("; ")
      : "";
    const text = [body.detail || body.title, fields].filter(Boolean).join(" — ");
    if (text) return new ApiError(response.status, text, body.type || "");
  }
  return new ApiError(response.status, `The server answered ${response.status} ${response.statusText}`.trim());
}

const offline = () =>
  new ApiError(0, "Cannot reach the ClipNET API. Is `clipnet serve` running?", "network");

let refreshing = null;

// One refresh at a time, however many requests found the token expired.
export function refreshTokens() {
  const current = session.get();
  if (!current?.refresh) return Promise.reject(new ApiError(401, "Please log in."));
  refreshing ??= fetch(url("/auth/refresh"), {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ refresh_token: current.refresh }),
  })
    .then(async (response) => {
      if (!response.ok) {
        session.clear();
        throw new ApiError(401, "Your session has ended. Please log in again.");
      }
      session.set(await response.json());
    }, () => { throw offline(); })
    .finally(() => { refreshing = null; });
  return refreshing;
}

function authHeader() {
  const token = session.get()?.access;
  return token ? { Authorization: `Bearer ${token}` } : {};
}

export async function api(method, path, { body, auth = true, again = true } = {}) {
  const headers = auth ? authHeader() : {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(url(path), {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw offline();
  }
  if (response.status === 401 && auth && again && session.get()?.refresh) {
    await refreshTokens();
    return api(method, path, { body, auth, again: false });
  }
  if (!response.ok) throw await problemOf(response);
  if (response.status === 204) return null;
  return response.json();
}

export const get = (path) => api("GET", path);
export const post = (path, body) => api("POST", path, { body });
export const patch = (path, body) => api("PATCH", path, { body });
export const del = (path) => api("DELETE", path);

// multipart upload with progress: fetch() cannot report upload progress, XMLHttpRequest can.
export function upload(path, form, onProgress, again = true) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url(path));
    for (const [name, value] of Object.entries(authHeader())) xhr.setRequestHeader(name, value);
    xhr.responseType = "text";
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded, e.total); };
    xhr.onerror = () => reject(offline());
    xhr.onload = async () => {
      const response = new Response(xhr.responseText || null, {
        status: xhr.status, statusText: xhr.statusText,
        headers: { "Content-Type": xhr.getResponseHeader("Content-Type") || "" },
      });
      if (xhr.status === 401 && again && session.get()?.refresh) {
        try {
          await refreshTokens();
          resolve(await upload(path, form, onProgress, false));
        } catch (error) {
          reject(error);
        }
      } else if (xhr.status >= 200 && xhr.status < 300) {
        resolve(await response.json());
      } else {
        reject(await problemOf(response));
      }
    };
    xhr.send(form);
  });
}

// GET /events read with fetch and a stream reader (EventSource cannot send the bearer token).
// Yields {id, event, data}; returns when the stream ends. A 404 means the server has no
// events endpoint: the caller falls back to polling.
export async function* eventStream(signal, lastEventId = "") {
  const headers = { Accept: "text/event-stream", ...authHeader() };
  if (lastEventId) headers["Last-Event-ID"] = lastEventId;
  let response;
  try {
    response = await fetch(url("/events"), { headers, signal });
  } catch (error) {
    if (signal.aborted) return;
    throw offline();
  }
  if (response.status === 401 && session.get()?.refresh) {
    await refreshTokens();
    yield* eventStream(signal, lastEventId);
    return;
  }
  if (!response.ok) throw await problemOf(response);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  let message = { id: "", event: "message", data: [], fresh: false };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.search(/\r?\n/)) >= 0) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + (buffer[end] === "\r" ? 2 : 1));
      if (line === "") {
        if (message.data.length) {
          let data = message.data.join("\n");
          try { data = JSON.parse(data); } catch { /* a plain-text event */ }
          yield { id: message.id, event: message.event, data };
        } else if (message.fresh) {
          // An id alone: where the stream starts, to resume from even if no event comes.
          yield { id: message.id, event: "open", data: null };
        }
        message = { id: message.id, event: "message", data: [], fresh: false };
      } else if (!line.startsWith(":")) {
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        const text = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "data") message.data.push(text);
        else if (field === "event") message.event = text;
        else if (field === "id") Object.assign(message, { id: text, fresh: true });
      }
    }
  }
}
