// Jobs: your failed and dead background jobs, with their reason and a retry button.

import { get, post } from "../api.js";
import { act, badge, empty, errorBox, flash, h, when, fill } from "../ui.js";

export async function page(_params, main) {
  const slot = h("div");
  async function refresh() {
    const { items } = await get("/jobs");
    if (!items.length) {
      fill(slot, empty("Nothing failed", "Every background job of yours went through. Failed and dead jobs show here, with their reason."));
      return;
    }
    fill(slot, h("ul", { class: "cards jobs" }, ...items.map((job) => {
      const box = errorBox();
      const retry = h("button", {
        type: "button",
        onclick: (e) => act(e.currentTarget, box, async () => {
          await post(`/jobs/${job.id}/retry`);
          flash("Queued again.");
          await refresh();
        }),
      }, "Retry");
      return h("li", { class: "card job", dataset: { jobId: job.id } },
        h("div", { class: "meta" }, h("strong", {}, job.type), " ", badge(job.status),
          ` · ${job.attempts}/${job.max_attempts} tries · ${when(job.finished_at || job.created_at)}`),
        h("p", { class: "error" }, job.last_error || "No reason recorded."),
        retry, box);
    })));
  }
  await refresh();
  fill(main, h("h1", {}, "Jobs"), slot);
}
