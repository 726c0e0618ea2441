// Loads the Leptos UI (wasm). Kept in a file: the CSP allows no inline scripts.
import init from "./wildroot_ui.js";

// The moment the first product tile is in the page, and the moment after
// the frame that paints it, as User Timing marks for the cold-start
// benchmark (e2e/benches/app.rs), which would otherwise see them only at
// its next WebDriver poll. A first paint is not free: style, layout and
// text of a fresh web process took ~95 ms here, after the tile was in.
// A timeout set in the frame's callback runs once that frame's rendering
// is done. The observer ends with the first mark, or after ten seconds on
// a screen with no tiles.
const tiles = new MutationObserver(() => {
  if (document.querySelector(".tile")) {
    performance.mark("pos-interactive");
    requestAnimationFrame(() => setTimeout(() => performance.mark("pos-painted")));
    tiles.disconnect();
  }
});
tiles.observe(document.documentElement, { childList: true, subtree: true });
setTimeout(() => tiles.disconnect(), 10000);

init().catch((e) => {
  // Without this the window would stay white with no word of why.
  const p = document.createElement("p");
  p.id = "boot-error";
  p.textContent = `Wildroot could not start its screens: ${e}. Reinstall the app; your sales are safe in its database.`;
  document.body.replaceChildren(p);
});
