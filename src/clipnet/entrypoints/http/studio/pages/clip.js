// A clip: play it, edit title and template, trim with start/end handles (re-rendered),
// approve / reject / delete, publish to YouTube or TikTok now or at a time, and its posts.

import { ApiError, del, get, patch, post } from "../api.js";
import { onLive } from "../live.js";
import { act, badge, empty, errorBox, field, flash, h, PROCESSING, seconds, when, fill } from "../ui.js";

// The templates ClipNET ships (the API has no list of them yet); a clip's own is kept.
const TEMPLATES = ["reframe", "center-crop", "blur-pad", "split"];
const PLATFORMS = [["youtube", "YouTube"], ["tiktok", "TikTok"]];
// Each platform's own privacy words (POST /clips/{id}/posts `privacy`).
const PRIVACY = {
  youtube: [["public", "Public"], ["unlisted", "Unlisted"], ["private", "Private"]],
  tiktok: [["public_to_everyone", "Everyone"], ["follower_of_creator", "Followers"],
    ["mutual_follow_friends", "Friends"], ["self_only", "Only me"]],
};
const missing = (error) => error instanceof ApiError && (error.status === 404 || error.status === 405);

function editForm(clip, after) {
  const title = h("input", { type: "text", value: clip.title, maxlength: 200, name: "title" });
  const names = TEMPLATES.includes(clip.template) || !clip.template ? TEMPLATES : [clip.template, ...TEMPLATES];
  const template = h("select", { name: "template" },
    ...names.map((n) => h("option", { value: n, selected: n === clip.template }, n)));
  const box = errorBox();
  const submit = h("button", { type: "submit" }, "Save");
  return h("form", {
    class: "panel",
    onsubmit: (e) => {
      e.preventDefault();
      act(submit, box, async () => {
        const change = { title: title.value };
        if (template.value !== clip.template) change.template = template.value;
        const done = await patch(`/clips/${clip.id}`, change);
        flash(done.rerendering ? "Saved. The clip is being rendered again." : "Saved.");
        await after();
      });
    },
  }, h("h2", {}, "Title and template"), field("Title", title), field("Template", template, "How the picture is framed and captioned."), box, submit);
}

// Start/end handles over the whole source: two sliders (keyboard: arrows, Page Up/Down)
// with number boxes beside them, and a bar showing the chosen span.
function trimForm(clip, duration, after) {
  const max = Math.max(duration, clip.end);
  const make = (value) => h("input", { type: "range", min: 0, max, step: 0.1, value });
  const start = make(clip.start);
  const end = make(clip.end);
  start.setAttribute("aria-label", "Start handle");
  end.setAttribute("aria-label", "End handle");
  const startBox = h("input", { type: "number", min: 0, max, step: 0.1, value: clip.start.toFixed(1), name: "start" });
  const endBox = h("input", { type: "number", min: 0, max, step: 0.1, value: clip.end.toFixed(1), name: "end" });
  const span = h("div", { class: "trim-span" });
  const length = h("span", { class: "muted" });
  function sync(from) {
    if (from === "box") { start.value = startBox.value; end.value = endBox.value; }
    let a = Number(start.value);
    let b = Number(end.value);
    if (a > b - 0.5) { if (from === "end") b = a + 0.5; else a = b - 0.5; }
    start.value = a; end.value = b;
    startBox.value = a.toFixed(1); endBox.value = b.toFixed(1);
    span.style.left = `${(100 * a) / max}%`;
    span.style.width = `${(100 * (b - a)) / max}%`;
    length.textContent = `${(b - a).toFixed(1)} s`;
  }
  start.addEventListener("input", () => sync("start"));
  end.addEventListener("input", () => sync("end"));
  startBox.addEventListener("change", () => sync("box"));
  endBox.addEventListener("change", () => sync("box"));
  const box = errorBox();
  const submit = h("button", { type: "submit" }, "Trim and re-render");
  const form = h("form", {
    class: "panel trim",
    onsubmit: (e) => {
      e.preventDefault();
      act(submit, box, async () => {
        await patch(`/clips/${clip.id}`, { start: Number(startBox.value), end: Number(endBox.value) });
        flash("Trimmed. The clip is being rendered again.");
        await after();
      });
    },
  },
  h("h2", {}, "Trim"),
  h("p", { class: "muted" }, `Within the source (${seconds(duration)}). The clip is rendered again from the new span.`),
  h("div", { class: "trim-track" }, span, start, end),
  h("div", { class: "row" }, field("Start (s)", startBox), field("End (s)", endBox), length),
  box, submit);
  sync();
  return form;
}

function decisions(clip, after) {
  const box = errorBox();
  const button = (label, cls, action) => {
    const b = h("button", { type: "button", class: cls }, label);
    b.addEventListener("click", () => act(b, box, action));
    return b;
  };
  const approve = button("Approve", "", async () => { await post(`/clips/${clip.id}/approve`); flash("Approved."); await after(); });
  const reject = button("Reject", "secondary", async () => {
    if (!confirm("Reject this clip? A rejected clip is never posted.")) return;
    await post(`/clips/${clip.id}/reject`);
    flash("Rejected.");
    await after();
  });
  const remove = button("Delete", "danger", async () => {
    if (!confirm("Delete this clip and its video?")) return;
    await del(`/clips/${clip.id}`);
    flash("Clip deleted.");
    location.hash = `#/sources/${clip.source_id}`;
  });
  return h("section", { class: "panel" }, h("h2", {}, "Decide"),
    h("div", { class: "row" }, approve, reject, remove), box);
}

function publishForm(clip, after) {
  const platform = h("select", { name: "platform" }, ...PLATFORMS.map(([v, l]) => h("option", { value: v }, l)));
  const now = h("input", { type: "radio", name: "when", value: "now", checked: true, id: "when-now" });
  const later = h("input", { type: "radio", name: "when", value: "later", id: "when-later" });
  const at = h("input", { type: "datetime-local", name: "publish_at", disabled: true });
  now.addEventListener("change", () => { at.disabled = true; });
  later.addEventListener("change", () => { at.disabled = false; at.focus(); });
  const privacy = h("select", { name: "privacy" });
  const privacies = () => fill(privacy, h("option", { value: "" }, "Default"),
    ...PRIVACY[platform.value].map(([v, l]) => h("option", { value: v }, l)));
  platform.addEventListener("change", privacies);
  privacies();
  const box = errorBox();
  const submit = h("button", { type: "submit" }, "Publish");
  return h("form", {
    class: "panel",
    onsubmit: (e) => {
      e.preventDefault();
      act(submit, box, async () => {
        const body = { platform: platform.value };
        if (privacy.value) body.privacy = privacy.value;
        if (later.checked) {
          if (!at.value) throw new Error("Choose when to publish.");
          body.publish_at = new Date(at.value).toISOString();
        }
        await post(`/clips/${clip.id}/posts`, body);
        flash(later.checked ? "Scheduled." : "Publishing…");
        await after();
      });
    },
  },
  h("h2", {}, "Publish"),
  field("Platform", platform),
  h("fieldset", {}, h("legend", {}, "When"),
    h("label", { for: "when-now", class: "choice" }, now, " Now"),
    h("label", { for: "when-later", class: "choice" }, later, " At a time:"),
    field("Publish at (your time)", at)),
  field("Privacy", privacy),
  h("p", { class: "muted" }, "Needs a linked account: see ", h("a", { href: "#/accounts" }, "Accounts"), "."),
  box, submit);
}

function withRender(link, render) {
  return `${link}${link.includes("?") ? "&" : "?"}render=${encodeURIComponent(render)}`;
}

async function postsOf(clip) {
  try {
    return (await get(`/clips/${clip.id}/posts`)).items;
  } catch (error) {
    if (missing(error)) return clip.posts; // an older server: the posts in the clip's detail
    throw error;
  }
}

function postList(posts, clip, after) {
  if (!posts.length) return empty("Not posted yet", "Publish it above; its status and link appear here.");
  return h("ul", { class: "posts" }, ...posts.map((p) => {
    const box = errorBox();
    const cancel = p.status === "scheduled"
      ? h("button", {
        type: "button", class: "secondary",
        onclick: (e) => act(e.currentTarget, box, async () => { await del(`/clips/${clip.id}/posts/${p.id}`); flash("Scheduled post cancelled."); await after(); }),
      }, "Cancel")
      : null;
    return h("li", { class: "post", dataset: { status: p.status, platform: p.platform } },
      h("strong", {}, Object.fromEntries(PLATFORMS)[p.platform] || p.platform), " ", badge(p.status),
      p.publish_at ? h("span", { class: "muted" }, ` at ${when(p.publish_at)}`) : null,
      p.url ? h("a", { href: p.url, class: "post-link", target: "_blank", rel: "noopener" }, " Open the post") : null,
      (p.error || p.last_error) ? h("p", { class: "error" }, p.error || p.last_error) : null,
      cancel, box);
  }));
}

export async function page([clipId], main) {
  let clip = await get(`/clips/${clipId}`);
  const source = await get(`/sources/${clip.source_id}`);
  const head = h("div");
  const player = h("div", { class: "player" });
  const postsSlot = h("div");
  const side = h("div", { class: "side" });

  function drawHead() {
    fill(head, 
      h("p", { class: "crumbs" }, h("a", { href: "#/sources" }, "Sources"), " / ",
        h("a", { href: `#/sources/${clip.source_id}` }, source.title || "Untitled recording"), " / "),
      h("h1", {}, clip.title || "Untitled clip"),
      h("p", { class: "live", "aria-live": "polite" }, badge(clip.status),
        clip.score ? ` score ${clip.score.total.toFixed(0)}/100 · ` : " ",
        `${seconds(clip.start)}–${seconds(clip.end)} of the source`,
        clip.votes ? ` · votes +${clip.votes.up} / −${clip.votes.down}` : ""),
      clip.score?.explanation ? h("p", { class: "why" }, clip.score.explanation) : null,
      clip.last_error ? h("p", { class: "error", role: "alert" }, clip.last_error) : null);
  }
  function drawPlayer() {
    // A re-render replaces the file under the same link: a link per render (the span,
    // template and title it was made from) makes the browser fetch the new one.
    const render = `${clip.status === "ready" || clip.status === "posted"}|${clip.start}|${clip.end}|${clip.template}|${clip.title}`;
    const video = clip.media?.video ? withRender(clip.media.video, render) : "";
    const old = player.querySelector("video");
    if (video && old && old.getAttribute("src") === video) return; // keep playing
    fill(player, video
      ? h("video", { controls: true, preload: "metadata", src: video, poster: clip.media.thumbnail && withRender(clip.media.thumbnail, render), "aria-label": "Clip video" })
      : empty(PROCESSING.has(clip.status) ? "Rendering…" : "No video", PROCESSING.has(clip.status) ? "The video appears here when it is ready." : "This clip has no rendered video."));
    if (clip.transcript?.text) player.append(h("details", {}, h("summary", {}, "Transcript"), h("p", {}, clip.transcript.text)));
  }
  async function drawPosts() {
    fill(postsSlot, h("h2", {}, "Posts"), postList(await postsOf(clip), clip, refresh));
  }
  function drawSide() {
    fill(side, editForm(clip, refresh), trimForm(clip, source.duration, refresh), decisions(clip, refresh), publishForm(clip, refresh), postsSlot);
  }
  async function refresh() {
    clip = await get(`/clips/${clipId}`);
    drawHead();
    drawPlayer();
    drawSide();
    await drawPosts();
  }
  drawHead();
  drawPlayer();
  drawSide();
  await drawPosts();
  fill(main, head, h("div", { class: "clip-page" }, player, side));

  let pending = null;
  const soon = () => { pending ??= setTimeout(() => { pending = null; refresh().catch(() => {}); }, 300); };
  let postsBusy = false;
  const stopLive = onLive((m) => {
    const d = m.data || {};
    if ((m.event === "clip.status" || m.event === "post.status") && d.clip_id === clipId) soon();
    else if (m.event === "reconnect") soon();
    else if (m.event === "tick") {
      if (PROCESSING.has(clip.status)) soon();
      else if (!postsBusy && postsSlot.querySelector(".post[data-status='pending'], .post[data-status='posting'], .post[data-status='scheduled']")) {
        postsBusy = true;
        drawPosts().catch(() => {}).finally(() => { postsBusy = false; });
      }
    }
  });
  return () => { stopLive(); clearTimeout(pending); };
}
