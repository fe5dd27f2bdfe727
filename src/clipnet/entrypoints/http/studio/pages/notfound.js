import { h } from "../ui.js";

// What a person sees for a clip or source that does not exist or is not theirs (the API
// answers 404 for both, so the studio cannot tell, and does not say which).
export function notFound(kind, id) {
  return h("section", { class: "panel notfound", "aria-labelledby": "nf-title" },
    h("h1", { id: "nf-title" }, "Not found"),
    h("p", {}, `There is no ${kind} “${id}” that you can see. It may have been deleted, or it belongs to someone else.`),
    h("p", {}, h("a", { href: "#/sources", class: "button" }, "Back to your sources")));
}
