// Sign up, log in, and the profile page (name, email, password).

import { api, get, patch, session } from "../api.js";
import { act, errorBox, field, flash, h, when, fill } from "../ui.js";

function next() {
  const query = location.hash.split("?")[1] || "";
  const target = new URLSearchParams(query).get("next") || "/sources";
  return target.startsWith("/") ? `#${target}` : "#/sources";
}

async function logIn(email, password) {
  const tokens = await api("POST", "/auth/login", { body: { email, password }, auth: false });
  session.set(tokens);
}

function credentials(withName) {
  const email = h("input", { type: "email", name: "email", required: true, autocomplete: "email" });
  const password = h("input", {
    type: "password", name: "password", required: true, minlength: 1,
    autocomplete: withName ? "new-password" : "current-password",
  });
  const name = withName ? h("input", { type: "text", name: "display_name", maxlength: 100, autocomplete: "nickname" }) : null;
  return { email, password, name };
}

export async function login(_params, main) {
  const { email, password } = credentials(false);
  const box = errorBox();
  const submit = h("button", { type: "submit" }, "Log in");
  const form = h("form", {
    class: "panel narrow",
    onsubmit: (e) => {
      e.preventDefault();
      act(submit, box, async () => {
        await logIn(email.value, password.value);
        location.hash = next();
      });
    },
  },
  h("h1", {}, "Log in"), field("Email", email), field("Password", password), box, submit,
  h("p", {}, "New here? ", h("a", { href: "#/signup" }, "Create an account")));
  fill(main, form);
  email.focus();
}

export async function signup(_params, main) {
  const { email, password, name } = credentials(true);
  const box = errorBox();
  const submit = h("button", { type: "submit" }, "Create account");
  const form = h("form", {
    class: "panel narrow",
    onsubmit: (e) => {
      e.preventDefault();
      act(submit, box, async () => {
        await api("POST", "/auth/signup", {
          body: { email: email.value, password: password.value, display_name: name.value }, auth: false,
        });
        await logIn(email.value, password.value);
        flash("Welcome to ClipNET. Upload a stream recording to get your first clips.");
        location.hash = "#/sources";
      });
    },
  },
  h("h1", {}, "Sign up"), field("Email", email), field("Password", password), field("Display name (optional)", name),
  box, submit, h("p", {}, "Already have an account? ", h("a", { href: "#/login" }, "Log in")));
  fill(main, form);
  email.focus();
}

export async function profile(_params, main) {
  const me = await get("/auth/me");
  const name = h("input", { type: "text", value: me.display_name, maxlength: 100 });
  const nameBox = errorBox();
  const saveName = h("button", { type: "submit" }, "Save name");
  const current = h("input", { type: "password", autocomplete: "current-password", required: true });
  const fresh = h("input", { type: "password", autocomplete: "new-password", required: true });
  const passBox = errorBox();
  const savePass = h("button", { type: "submit" }, "Change password");
  fill(main, 
    h("h1", {}, "Profile"),
    h("section", { class: "panel" },
      h("dl", { class: "facts" },
        h("dt", {}, "Email"), h("dd", {}, me.email),
        h("dt", {}, "Role"), h("dd", {}, me.role),
        h("dt", {}, "Member since"), h("dd", {}, when(me.created_at)))),
    h("form", {
      class: "panel",
      onsubmit: (e) => {
        e.preventDefault();
        act(saveName, nameBox, async () => {
          await patch("/auth/me", { display_name: name.value });
          flash("Name saved.");
        });
      },
    }, h("h2", {}, "Your name"), field("Display name", name), nameBox, saveName),
    h("form", {
      class: "panel",
      onsubmit: (e) => {
        e.preventDefault();
        act(savePass, passBox, async () => {
          const change = await patch("/auth/me", { password: fresh.value, current_password: current.value });
          if (change.tokens) session.set(change.tokens);
          current.value = fresh.value = "";
          flash("Password changed. Your other sessions were logged out.");
        });
      },
    }, h("h2", {}, "Password"), field("Current password", current), field("New password", fresh), passBox, savePass),
  );
}
