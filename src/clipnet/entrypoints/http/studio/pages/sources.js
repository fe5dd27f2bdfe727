// Sources: the list, an upload with a progress bar, and adding a video by URL.

import { get, post, upload } from "../api.js";
import { onLive } from "../live.js";
import { act, badge, empty, errorBox, field, flash, h, seconds, when, fill } from "../ui.js";

export const AUTO_COUNT = 3;

// After a source arrives, ask for its best moments (the clips then appear live on its page).
export async function findMoments(sourceId, count) {
  if (count > 0) await post("/clips/", { source_id: sourceId, mode: "auto", count });
}

function uploadForm() {
  const file = h("input", { type: "file", name: "file", accept: "video/*", required: true });
  const title = h("input", { type: "text", name: "title", maxlength: 200 });
  const count = h("input", { type: "number", min: 0, max: 10, value: AUTO_COUNT, name: "count" });
  const bar = h("progress", { max: 100, value: 0, hidden: true, "aria-label": "Upload progress" });
  const percent = h("span", { class: "muted", "aria-live": "polite" });
  const box = errorBox();
  const submit = h("button", { type: "submit" }, "Upload");
  return h("form", {
    class: "panel",
    "aria-labelledby": "upload-title",
    onsubmit: (e) => {
      e.preventDefault();
      act(submit, box, async () => {
        const form = new FormData();
        form.append("title", title.value);
        form.append("file", file.files[0]);
        bar.hidden = false;
        const made = await upload("/sources/upload", form, (sent, total) => {
          bar.value = Math.round((100 * sent) / total);
          percent.textContent = `${bar.value}%`;
        });
        percent.textContent = "Uploaded. Finding the best moments…";
        await findMoments(made.id, Number(count.value));
        location.hash = `#/sources/${made.id}`;
      }).finally(() => { bar.hidden = true; percent.textContent = ""; });
    },
  },
  h("h2", { id: "upload-title" }, "Upload a recording"),
  field("Video file", file, "MP4, MKV, MOV, WebM… anything FFmpeg reads."),
  field("Title (optional)", title),
  field("Clips to make", count, "The best moments, found automatically (0: none yet)."),
  h("div", { class: "row" }, submit, bar, percent), box);
}

function urlForm() {
  const address = h("input", { type: "url", name: "url", required: true, placeholder: "https://…" });
  const title = h("input", { type: "text", name: "title", maxlength: 200 });
  const box = errorBox();
  const submit = h("button", { type: "submit" }, "Add");
  return h("form", {
    class: "panel",
    "aria-labelledby": "url-title",
    onsubmit: (e) => {
      e.preventDefault();
      act(submit, box, async () => {
        const made = await post("/sources/url", { url: address.value, title: title.value });
        flash("Source added.");
        location.hash = `#/sources/${made.id}`;
      });
    },
  }, h("h2", { id: "url-title" }, "Add by URL"), field("Video URL", address), field("Title (optional)", title), box, submit);
}

function sourceRow(s) {
  return h("li", { class: "card source" },
    h("a", { href: `#/sources/${s.id}`, class: "card-title" }, s.title || "Untitled recording"),
    h("div", { class: "meta" }, badge(s.status), ` ${s.kind} · ${seconds(s.duration)} · ${when(s.created_at)}`),
    s.last_error ? h("p", { class: "error" }, s.last_error) : null);
}

export async function page(_params, main) {
  const list = h("ul", { class: "cards", "aria-label": "Your sources" });
  async function refresh() {
    const { items } = await get("/sources/?limit=100");
    fill(list, ...(items.length
      ? items.map(sourceRow)
      : [h("li", {}, empty("No sources yet", "Upload a stream recording or add one by URL: ClipNET finds its best moments."))]));
  }
  await refresh();
  fill(main, 
    h("h1", {}, "Sources"),
    h("div", { class: "split" }, uploadForm(), urlForm()),
    h("h2", {}, "Your recordings"), list);
  return onLive((m) => { if (m.event === "source.status" || m.event === "reconnect") refresh().catch(() => {}); });
}
