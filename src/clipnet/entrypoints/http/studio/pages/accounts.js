// Linked accounts: link (OAuth, in a new window) and unlink YouTube, TikTok and Twitch.

import { del, get, post } from "../api.js";
import { act, errorBox, flash, h, when, fill } from "../ui.js";

const PROVIDERS = [
  ["youtube", "YouTube", "Publish clips to your channel."],
  ["tiktok", "TikTok", "Publish clips to your TikTok account."],
  ["twitch", "Twitch", "Let ClipBOT read your chat and make Twitch clips."],
];

export async function page(_params, main) {
  const list = h("ul", { class: "cards accounts", "aria-label": "Platforms" });
  async function refresh() {
    const { items, providers } = await get("/oauth/accounts");
    const linked = new Map(items.map((a) => [a.provider, a]));
    fill(list, ...PROVIDERS.map(([id, label, what]) => {
      const account = linked.get(id);
      const box = errorBox();
      let action;
      if (account) {
        action = h("button", {
          type: "button", class: "secondary",
          onclick: (e) => act(e.currentTarget, box, async () => {
            await del(`/oauth/${id}`);
            flash(`${label} unlinked.`);
            await refresh();
          }),
        }, `Unlink ${label}`);
      } else if (providers.includes(id)) {
        action = h("button", {
          type: "button",
          onclick: (e) => act(e.currentTarget, box, async () => {
            const { authorize_url: target } = await post(`/oauth/${id}/start`);
            // The provider sends the browser back to /oauth/{id}/callback, which links the
            // account; this page refreshes when the person comes back to it.
            const opened = window.open(target, "clipnet-oauth");
            if (!opened) location.assign(target);
            flash(`Finish linking ${label} in the new window, then come back here.`);
          }),
        }, `Link ${label}`);
      } else {
        action = h("p", { class: "muted" }, `This server has no ${label} app configured (CLIPNET_OAUTH_CLIENTS).`);
      }
      return h("li", { class: "card account", dataset: { provider: id, linked: account ? "yes" : "no" } },
        h("h2", {}, label), h("p", {}, what),
        account
          ? h("p", { class: "linked" }, `Linked as ${account.provider_user_id} since ${when(account.linked_at)}`)
          : h("p", { class: "muted" }, "Not linked."),
        action, box);
    }));
  }
  await refresh();
  fill(main, h("h1", {}, "Accounts"),
    h("p", {}, "Link the platforms ClipNET publishes to and listens on. Unlinking forgets the tokens and asks the platform to revoke them."),
    list,
    h("p", {}, h("button", { type: "button", class: "secondary", onclick: () => refresh() }, "Refresh")));
  const onFocus = () => refresh().catch(() => {});
  window.addEventListener("focus", onFocus);
  return () => window.removeEventListener("focus", onFocus);
}
