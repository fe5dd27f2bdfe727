// The studio's shell: a hash router (#/sources, #/clips/ID, …), the navigation, and the
// sign-in guard. Each page is a module exporting a function (params, main) that draws into
// <main> and may return a clean-up function (called when the person leaves the page).

import { ApiError, post, session } from "./api.js";
import { stop as stopLive } from "./live.js";
import { flash, h, fill } from "./ui.js";
import * as auth from "./pages/auth.js";
import * as sources from "./pages/sources.js";
import * as source from "./pages/source.js";
import * as clip from "./pages/clip.js";
import * as accounts from "./pages/accounts.js";
import * as bot from "./pages/bot.js";
import * as jobs from "./pages/jobs.js";
import { notFound } from "./pages/notfound.js";

const ROUTES = [
  [/^\/login$/, auth.login, false, "Log in"],
  [/^\/signup$/, auth.signup, false, "Sign up"],
  [/^\/profile$/, auth.profile, true, "Profile"],
  [/^\/sources$/, sources.page, true, "Sources"],
  [/^\/sources\/([A-Za-z0-9_-]+)$/, source.page, true, "Source"],
  [/^\/clips\/([A-Za-z0-9_-]+)$/, clip.page, true, "Clip"],
  [/^\/accounts$/, accounts.page, true, "Accounts"],
  [/^\/clipbot$/, bot.page, true, "ClipBOT"],
  [/^\/jobs$/, jobs.page, true, "Jobs"],
];

const NAV = [
  ["#/sources", "Sources"],
  ["#/accounts", "Accounts"],
  ["#/clipbot", "ClipBOT"],
  ["#/jobs", "Jobs"],
  ["#/profile", "Profile"],
];

let cleanup = null;

function drawNav(path) {
  const nav = document.getElementById("nav");
  if (!session.signedIn) {
    fill(nav, 
      h("a", { href: "#/login", "aria-current": path === "/login" ? "page" : null }, "Log in"),
      h("a", { href: "#/signup", "aria-current": path === "/signup" ? "page" : null }, "Sign up"),
    );
    return;
  }
  const links = NAV.map(([href, label]) =>
    h("a", { href, "aria-current": path.startsWith(href.slice(1)) ? "page" : null }, label));
  const out = h("button", { type: "button", class: "link", onclick: logOut }, "Log out");
  fill(nav, ...links, out);
}

export async function logOut() {
  try {
    await post("/auth/logout");
  } catch {
    /* the session is forgotten here either way */
  }
  session.clear();
  stopLive();
  flash("You are logged out.");
  location.hash = "#/login";
}

async function route() {
  const path = (location.hash.replace(/^#/, "") || "/").split("?")[0];
  if (path === "/" || path === "") {
    location.replace(session.signedIn ? "#/sources" : "#/login");
    return;
  }
  if (typeof cleanup === "function") cleanup();
  cleanup = null;
  const main = document.getElementById("main");
  drawNav(path);
  const found = ROUTES.map(([pattern, page, guarded, title]) => [path.match(pattern), page, guarded, title])
    .find(([match]) => match);
  if (!found) {
    document.title = "Not found · ClipNET studio";
    fill(main, notFound("page", path));
    return;
  }
  const [match, page, guarded, title] = found;
  if (guarded && !session.signedIn) {
    location.replace(`#/login?next=${encodeURIComponent(path)}`);
    return;
  }
  document.title = `${title} · ClipNET studio`;
  fill(main, h("p", { class: "muted" }, "Loading…"));
  try {
    cleanup = await page(match.slice(1), main);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      session.clear();
      location.replace("#/login");
      flash(error.message, "error");
    } else if (error instanceof ApiError && error.status === 404) {
      fill(main, notFound(title.toLowerCase(), match[1] || path));
    } else {
      fill(main, h("div", { class: "panel" }, h("h1", {}, "Something went wrong"),
        h("p", { class: "error", role: "alert" }, error.message || String(error))));
    }
  }
  if (document.activeElement === document.body) main.focus({ preventScroll: true });
}

window.addEventListener("hashchange", route);
route();
