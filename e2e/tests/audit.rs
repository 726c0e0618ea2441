//! Every screen on a phone (390×844) and a laptop (1280×800), in both themes, measured in the real
//! webview from the page's own colours and boxes: no interactive element
//! smaller than 48×48 px (a checkbox counts with its label), no text under
//! 7:1 in the sunlight theme (4.5:1 for placeholders and disabled text) or
//! under 4.5:1 in the dark theme, and nothing wider than the screen.
//! Screenshots of each land in `target/screenshots/`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use anyhow::Result;
use wildroot_e2e::{App, Launch};

/// Runs in the page; `arguments[0]` is the theme. Answers with a list of
/// problems, each naming the element and the figure.
const AUDIT: &str = r#"
const theme = arguments[0];
const textNeed = theme === 'light' ? 7 : 4.5;
const faintNeed = 4.5;
const parse = (c) => {
  const m = /rgba?\(([^)]+)\)/.exec(c || '');
  if (!m) return null;
  const p = m[1].split(',').map((s) => parseFloat(s));
  return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
};
const lum = (c) => {
  const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
};
const over = (top, under) => ({
  r: top.r * top.a + under.r * (1 - top.a), g: top.g * top.a + under.g * (1 - top.a),
  b: top.b * top.a + under.b * (1 - top.a), a: 1,
});
// What is behind an element: every ancestor's background, composited from the root down.
const behind = (el) => {
  const chain = [];
  for (let e = el; e; e = e.parentElement) chain.unshift(e);
  let bg = { r: 255, g: 255, b: 255, a: 1 };
  for (const e of chain) {
    const c = parse(getComputedStyle(e).backgroundColor);
    if (c && c.a > 0) bg = over(c, bg);
  }
  return bg;
};
const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
const shown = (el) => {
  const r = el.getBoundingClientRect();
  const s = getComputedStyle(el);
  return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none' && !el.closest('svg');
};
const name = (el) => {
  const tag = el.id ? '#' + el.id : el.tagName.toLowerCase() + (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\s+/).join('.') : '');
  const text = (el.innerText || el.value || el.placeholder || '').trim().replace(/\s+/g, ' ').slice(0, 30);
  return text ? tag + ' "' + text + '"' : tag;
};
const problems = [];
if (document.documentElement.scrollWidth > window.innerWidth + 1) {
  problems.push('the page is ' + document.documentElement.scrollWidth + ' px wide in a ' + window.innerWidth + ' px screen');
}
for (const el of document.querySelectorAll('button, input, select, textarea, a[href], [role=button]')) {
  if (!shown(el)) continue;
  const target = (el.type === 'checkbox' || el.type === 'radio') && el.closest('label') ? el.closest('label') : el;
  const r = target.getBoundingClientRect();
  if (r.width < 47.5 || r.height < 47.5) problems.push(name(el) + ' is ' + Math.round(r.width) + '×' + Math.round(r.height) + ' px');
  if (r.right > window.innerWidth + 1 && !el.closest('table.grid')) problems.push(name(el) + ' runs past the right edge');
}
const faint = parse(getComputedStyle(document.documentElement).getPropertyValue('--faint').trim().replace(/^#(..)(..)(..)$/, (_, r, g, b) => 'rgb(' + parseInt(r, 16) + ',' + parseInt(g, 16) + ',' + parseInt(b, 16) + ')'));
for (const el of document.querySelectorAll('body *')) {
  if (!shown(el)) continue;
  const bg = behind(el);
  const own = Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim());
  if (own) {
    const fg = parse(getComputedStyle(el).color);
    const disabled = el.disabled || !!el.closest('button:disabled');
    const need = disabled ? faintNeed : textNeed;
    const r = ratio(over(fg, bg), bg);
    if (r < need - 0.005) problems.push(name(el) + ' text is ' + r.toFixed(2) + ':1, under ' + need + ':1');
  }
  if ((el.tagName === 'INPUT' || el.tagName === 'TEXTAREA') && el.placeholder && !el.value && faint) {
    const r = ratio(faint, bg);
    if (r < faintNeed - 0.005) problems.push(name(el) + ' placeholder is ' + r.toFixed(2) + ':1, under ' + faintNeed + ':1');
  }
}
return problems;
"#;

/// The screens, as the phone's navigation reaches them: the booth's from the tab bar, the rest behind "More".
const SCREENS: [(&str, bool); 9] = [
    ("pos", false),
    ("sales", false),
    ("market", false),
    ("inventory", true),
    ("recipes", true),
    ("customers", true),
    ("reports", true),
    ("alerts", true),
    ("settings", true),
];

/// Walks every screen at `width`×`height` in both themes and answers with
/// what the audit found. On a phone the owner's screens sit behind "More";
/// from 900 px every screen is in the sidebar.
async fn audit(width: u32, height: u32) -> Result<Vec<String>> {
    let dir = tempfile::tempdir()?;
    let app = App::launch(&Launch { db: dir.path().join("wildroot.db"), sync_interval_secs: 30 }).await?;
    app.client.set_window_size(width, height).await?;
    let phone = width < 900;
    // A line in the cart, with the cart open: its tools must fit too.
    app.click(".tile").await?;
    if phone {
        app.click("#cart-toggle").await?;
    }
    app.find(".cart-line").await?;
    let mut problems = Vec::new();
    for theme in ["light", "dark"] {
        app.client.execute(&format!("document.documentElement.setAttribute('data-theme', '{theme}')"), vec![]).await?;
        for (screen, behind_more) in SCREENS {
            if behind_more && phone {
                app.click("#nav-more").await?;
            }
            app.click(&format!("#nav-{screen}")).await?;
            // The screen has drawn what it loads.
            tokio::time::sleep(std::time::Duration::from_millis(400)).await;
            app.screenshot(&format!("screen-{screen}-{theme}-{width}x{height}")).await?;
            let found = app.client.execute(AUDIT, vec![serde_json::Value::from(theme)]).await?;
            for p in found.as_array().into_iter().flatten() {
                problems.push(format!("{screen} ({theme}, {width}×{height}): {}", p.as_str().unwrap_or_default()));
            }
        }
    }
    problems.dedup();
    app.quit().await?;
    Ok(problems)
}

#[tokio::test]
async fn every_screen_on_a_phone_has_thumb_sized_targets_readable_text_and_no_sideways_scroll() -> Result<()> {
    let problems = audit(390, 844).await?;
    assert!(problems.is_empty(), "{} problem(s):\n{}", problems.len(), problems.join("\n"));
    Ok(())
}

#[tokio::test]
async fn every_screen_on_a_laptop_passes_the_same_audit() -> Result<()> {
    let problems = audit(1280, 800).await?;
    assert!(problems.is_empty(), "{} problem(s):\n{}", problems.len(), problems.join("\n"));
    Ok(())
}
