// ClipBOT: the chat accounts it listens on, and the chat's vote tallies per clip. Channels
// and their vote thresholds are set with the CLI (`clipnet bot …`): the API has no routes
// for them yet, so this page says so instead of guessing.

import { get } from "../api.js";
import { badge, empty, h, fill } from "../ui.js";

const CHAT = ["twitch", "discord", "x"];

export async function page(_params, main) {
  const [{ items: accounts }, { items: clips }] = await Promise.all([
    get("/oauth/accounts"), get("/clips/?limit=50"),
  ]);
  const details = await Promise.all(clips.map((c) => get(`/clips/${c.id}`)));
  const voted = details.filter((d) => d.votes && (d.votes.up || d.votes.down));
  const chats = accounts.filter((a) => CHAT.includes(a.provider));
  fill(main, 
    h("h1", {}, "ClipBOT"),
    h("section", { class: "panel" }, h("h2", {}, "Linked channels"),
      chats.length
        ? h("ul", {}, ...chats.map((a) => h("li", {}, h("strong", {}, a.provider), ` ${a.provider_user_id}`)))
        : empty("No chat linked", "Link Twitch on the Accounts page so ClipBOT can listen to your chat.", h("a", { href: "#/accounts", class: "button" }, "Accounts"))),
    h("section", { class: "panel" }, h("h2", {}, "Thresholds"),
      h("p", {}, "Each channel's vote threshold and auto-post switch are set with ", h("code", {}, "clipnet bot"),
        " on the server; the HTTP API does not expose them yet, so the studio cannot show or change them.")),
    h("section", { class: "panel" }, h("h2", {}, "Votes per clip"),
      voted.length
        ? h("table", {},
          h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Clip"), h("th", { scope: "col" }, "Status"),
            h("th", { scope: "col" }, "Up"), h("th", { scope: "col" }, "Down"), h("th", { scope: "col" }, "Net"))),
          h("tbody", {}, ...voted.map((d) => h("tr", {},
            h("td", {}, h("a", { href: `#/clips/${d.id}` }, d.title || d.id)), h("td", {}, badge(d.status)),
            h("td", {}, d.votes.up), h("td", {}, d.votes.down), h("td", {}, d.votes.net)))))
        : empty("No votes yet", "When your chat votes on a clip (!up / !down), the tallies show here.")),
  );
}
