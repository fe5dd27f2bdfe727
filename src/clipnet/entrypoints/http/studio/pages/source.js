// A source: its preview, the score timeline (features over time, chosen clips marked; hover
// shows the values, click seeks the preview), the ranked clips as cards, and live status.

import { get } from "../api.js";
import { onLive } from "../live.js";
import { act, badge, empty, errorBox, field, h, PROCESSING, seconds, svg, fill } from "../ui.js";
import { findMoments } from "./sources.js";

const W = 1000;
const H = 220;
const PAD = { left: 36, right: 8, top: 10, bottom: 24 };
const SERIES = [
  ["loudness", "Loudness", "c-loud"],
  ["motion", "Motion", "c-motion"],
  ["speech", "Speech", "c-speech"],
  ["chat", "Chat", "c-chat"], // only once the source's chat replay is added
];

function polyline(values, top, className) {
  const span = W - PAD.left - PAD.right;
  const height = H - PAD.top - PAD.bottom;
  const step = values.length > 1 ? span / (values.length - 1) : 0;
  const points = values.map((v, i) => `${(PAD.left + i * step).toFixed(1)},${(PAD.top + height * (1 - v / top)).toFixed(1)}`);
  return svg("polyline", { points: points.join(" "), class: `line ${className}`, fill: "none" });
}

// The chart; `seek(t)` moves the preview. Keyboard: arrows move the cursor, Enter seeks.
export function timelineChart(timeline, clips, seek) {
  const duration = timeline.duration || timeline.score.length || 1;
  const span = W - PAD.left - PAD.right;
  const x = (t) => PAD.left + (span * t) / duration;
  const readout = h("p", { class: "readout", "aria-live": "polite" }, "Point at the chart to read the values; click to seek the preview.");
  const cursor = svg("line", { x1: PAD.left, x2: PAD.left, y1: PAD.top, y2: H - PAD.bottom, class: "cursor", visibility: "hidden" });
  const marks = clips.filter((c) => c.score !== null || c.status !== "failed").map((c, i) =>
    svg("g", { class: "mark" },
      svg("rect", { x: x(c.start), y: PAD.top, width: Math.max(2, x(c.end) - x(c.start)), height: H - PAD.top - PAD.bottom, class: "clip-span" }),
      svg("text", { x: x(c.start) + 3, y: PAD.top + 14, class: "mark-label" }, `#${i + 1}`)));
  const ticks = [];
  const every = Math.max(1, Math.ceil(duration / 10));
  for (let t = 0; t <= duration; t += every) {
    const anchor = t === 0 ? "start" : x(t) > W - PAD.right - 20 ? "end" : "middle";
    ticks.push(svg("text", { x: x(t), y: H - 6, class: "tick", "text-anchor": anchor }, seconds(t).replace(/\.0$/, "")));
  }
  const plot = svg("svg", {
    viewBox: `0 0 ${W} ${H}`, class: "timeline", role: "img", tabindex: 0,
    "aria-label": `Score timeline over ${seconds(duration)}: score and features per second, ${clips.length} clips marked`,
  },
  svg("rect", { x: PAD.left, y: PAD.top, width: span, height: H - PAD.top - PAD.bottom, class: "plot-bg" }),
  ...marks,
  ...SERIES.filter(([key]) => timeline.features[key]).map(([key, , cls]) => polyline(timeline.features[key], 1, cls)),
  polyline(timeline.score, 100, "c-score"),
  ...ticks,
  svg("text", { x: 4, y: PAD.top + 10, class: "tick" }, "100"),
  svg("text", { x: 4, y: H - PAD.bottom, class: "tick" }, "0"),
  cursor);
  let at = 0;
  function show(t) {
    at = Math.min(duration, Math.max(0, t));
    const i = Math.min(timeline.score.length - 1, Math.floor(at));
    cursor.setAttribute("x1", x(at));
    cursor.setAttribute("x2", x(at));
    cursor.setAttribute("visibility", "visible");
    const values = SERIES.filter(([key]) => timeline.features[key])
      .map(([key, label]) => `${label} ${Math.round(100 * timeline.features[key][i])}%`);
    const inside = clips.findIndex((c) => c.start <= at && at <= c.end);
    readout.textContent = `${seconds(at)} — score ${Math.round(timeline.score[i] ?? 0)} · ${values.join(" · ")}${inside >= 0 ? ` · in clip #${inside + 1}` : ""}`;
  }
  const timeAt = (event) => {
    const box = plot.getBoundingClientRect();
    const px = ((event.clientX - box.left) / box.width) * W;
    return ((px - PAD.left) / span) * duration;
  };
  plot.addEventListener("mousemove", (e) => show(timeAt(e)));
  plot.addEventListener("click", (e) => { show(timeAt(e)); seek(at); });
  plot.addEventListener("keydown", (e) => {
    if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
      e.preventDefault();
      show(at + (e.key === "ArrowRight" ? 1 : -1) * (e.shiftKey ? 10 : 1));
    } else if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      seek(at);
    }
  });
  plot.addEventListener("focus", () => show(at));
  const legend = h("ul", { class: "legend", "aria-label": "Legend" },
    h("li", { class: "c-score" }, "Score (0–100)"),
    ...SERIES.filter(([key]) => key !== "chat" || timeline.features.chat)
      .map(([, label, cls]) => h("li", { class: cls }, label)),
    h("li", { class: "c-clip" }, "Chosen clips"));
  return h("figure", { class: "chart" }, plot, legend, readout);
}

export function clipCard(detail, rank) {
  const thumb = detail.media?.thumbnail
    ? h("img", { src: detail.media.thumbnail, alt: "", loading: "lazy", width: 320, height: 180 })
    : h("div", { class: "thumb-wait", "aria-hidden": "true" }, PROCESSING.has(detail.status) ? "Rendering…" : "No picture");
  const excerpt = detail.transcript?.text ? detail.transcript.text.slice(0, 140) + (detail.transcript.text.length > 140 ? "…" : "") : "";
  return h("li", { class: "card clip", dataset: { clipId: detail.id, status: detail.status } },
    h("a", { href: `#/clips/${detail.id}`, class: "thumb" }, thumb),
    h("div", { class: "card-body" },
      h("a", { href: `#/clips/${detail.id}`, class: "card-title" }, `#${rank} ${detail.title || "Untitled clip"}`),
      h("div", { class: "meta" }, badge(detail.status),
        detail.score ? h("span", { class: "score", title: "Score out of 100" }, ` ${detail.score.total.toFixed(0)}/100`) : null,
        ` · ${seconds(detail.start)}–${seconds(detail.end)}`),
      detail.score?.explanation ? h("p", { class: "why" }, detail.score.explanation) : null,
      excerpt ? h("blockquote", { class: "excerpt" }, excerpt) : null,
      detail.last_error ? h("p", { class: "error" }, detail.last_error) : null));
}

function momentsForm(sourceId, after) {
  const count = h("input", { type: "number", min: 1, max: 10, value: 3 });
  const box = errorBox();
  const submit = h("button", { type: "submit" }, "Find best moments");
  return h("form", {
    class: "row inline-form",
    onsubmit: (e) => {
      e.preventDefault();
      act(submit, box, async () => { await findMoments(sourceId, Number(count.value)); await after(); });
    },
  }, field("How many", count), submit, box);
}

export async function page([sourceId], main) {
  const source = await get(`/sources/${sourceId}`);
  const status = h("p", { class: "live", "aria-live": "polite" });
  const preview = source.url
    ? h("video", { controls: true, preload: "metadata", src: source.url, class: "preview", "aria-label": "Source preview" })
    : null;
  const chartSlot = h("div", { class: "chart-slot" });
  const cards = h("ol", { class: "cards clips", "aria-label": "Clips, best first" });
  const seek = (t) => { if (preview) { preview.currentTime = t; preview.focus(); } };
  let clips = [];
  let current = source;

  async function drawClips() {
    const { items } = await get(`/clips/?source_id=${sourceId}&limit=100`);
    const details = await Promise.all(items.map((c) => get(`/clips/${c.id}`)));
    details.sort((a, b) => (b.score?.total ?? -1) - (a.score?.total ?? -1));
    clips = details;
    fill(cards, ...(details.length
      ? details.map((d, i) => clipCard(d, i + 1))
      : [h("li", {}, empty("No clips yet", "Ask for the best moments below; they appear here as they are made."))]));
  }
  async function drawChart() {
    const timeline = await get(`/sources/${sourceId}/timeline`);
    fill(chartSlot, timeline.analysed
      ? timelineChart(timeline, clips, seek)
      : empty("Not analysed yet", "The timeline appears once ClipNET has measured the recording (when you ask for clips)."));
  }
  function drawStatus(extra = "") {
    const working = clips.filter((c) => PROCESSING.has(c.status)).length;
    fill(status, badge(current.status),
      working ? ` ${working} clip${working > 1 ? "s" : ""} in progress` : " ",
      extra ? ` · ${extra}` : "");
  }
  async function refresh() {
    current = await get(`/sources/${sourceId}`);
    await drawClips();
    await drawChart();
    drawStatus();
  }
  await drawClips();
  await drawChart();
  drawStatus();
  fill(main, 
    h("p", { class: "crumbs" }, h("a", { href: "#/sources" }, "Sources"), " / "),
    h("h1", {}, source.title || "Untitled recording"),
    status,
    source.last_error ? h("p", { class: "error", role: "alert" }, source.last_error) : null,
    h("div", { class: "source-top" }, preview, h("section", { class: "panel", "aria-labelledby": "tl" }, h("h2", { id: "tl" }, "Score timeline"), chartSlot)),
    h("h2", {}, "Clips"), momentsForm(sourceId, refresh), cards);

  let pending = null;
  const soon = () => { pending ??= setTimeout(() => { pending = null; refresh().catch(() => {}); }, 300); };
  const stopLive = onLive((m) => {
    const d = m.data || {};
    if (m.event === "job.progress" && (d.source_id === sourceId || clips.some((c) => c.id === d.clip_id))) {
      drawStatus(`${d.stage || d.job_type} ${Math.round(d.percent ?? 0)}%`);
    } else if ((m.event === "clip.status" || m.event === "source.status") && (d.source_id === sourceId)) {
      soon();
    } else if (m.event === "post.status" && clips.some((c) => c.id === d.clip_id)) {
      soon();
    } else if (m.event === "reconnect" || (m.event === "tick" && (clips.some((c) => PROCESSING.has(c.status)) || current.status === "analyzing"))) {
      soon();
    }
  });
  return () => { stopLive(); clearTimeout(pending); };
}
