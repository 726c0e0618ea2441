// Loads the Leptos UI (wasm). Kept in a file: the CSP allows no inline scripts.
import init from "./wildroot_ui.js";

init().catch((e) => {
  // Without this the window would stay white with no word of why.
  const p = document.createElement("p");
  p.id = "boot-error";
  p.textContent = `Wildroot could not start its screens: ${e}. Reinstall the app; your sales are safe in its database.`;
  document.body.replaceChildren(p);
});
