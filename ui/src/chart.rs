//! Bar charts as SVG. No charting crate fits Leptos' CSR wasm without a
//! canvas or a JavaScript bundle, and the dashboard needs only bars, so this
//! is one small module: the geometry is plain arithmetic (tested on the
//! host), the view draws it. Every bar carries its exact figure in
//! `data-value` (cents) so what is drawn can be checked against the report.
use crate::cart::money;
use leptos::prelude::*;

/// One bar, in the chart's own coordinates (0..width × 0..height).
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: i64,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

/// The largest value, never below 1 so an all-zero chart draws empty bars.
fn scale(values: &[(String, i64)]) -> f64 {
    values.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1) as f64
}

/// Vertical bars across `width`, heights proportional to their values
/// (negative values, such as a day of refunds, draw as nothing).
pub fn columns(values: &[(String, i64)], width: f64, height: f64) -> Vec<Bar> {
    let n = values.len().max(1) as f64;
    let slot = width / n;
    let gap = (slot * 0.2).min(8.0);
    let top = scale(values);
    values
        .iter()
        .enumerate()
        .map(|(i, (label, v))| {
            let h = (*v).max(0) as f64 / top * height;
            Bar { label: label.clone(), value: *v, x: i as f64 * slot + gap / 2.0, y: height - h, w: slot - gap, h }
        })
        .collect()
}

/// Horizontal bars, one per row of `row` height, lengths proportional to their values.
pub fn rows(values: &[(String, i64)], width: f64, row: f64) -> Vec<Bar> {
    let top = scale(values);
    values
        .iter()
        .enumerate()
        .map(|(i, (label, v))| Bar {
            label: label.clone(),
            value: *v,
            x: 0.0,
            y: i as f64 * row + 2.0,
            w: (*v).max(0) as f64 / top * width,
            h: row - 6.0,
        })
        .collect()
}

/// Sales per day as columns, with the first and last day under the axis.
/// Days since 1970-01-01 of a `YYYY-MM-DD` date (proleptic Gregorian).
pub fn day_number(date: &str) -> Option<i64> {
    let mut parts = date.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (y, m, d) = (parts.next()??, parts.next()??, parts.next()??);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// The `YYYY-MM-DD` of a day number.
pub fn date_of(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The most days a day chart draws one by one; a longer range shows only the days with sales.
pub const MAX_DAYS: i64 = 400;

/// Every day from `from` (or the first day with sales) to `to` (or the
/// last), with the days without sales at zero, so gaps read as gaps.
pub fn every_day(days: &[(String, i64)], from: &str, to: &str) -> Vec<(String, i64)> {
    let known: Vec<i64> = days.iter().filter_map(|(d, _)| day_number(d)).collect();
    let start = day_number(from).or_else(|| known.iter().min().copied());
    let end = day_number(to).or_else(|| known.iter().max().copied());
    match (start, end) {
        (Some(s), Some(e)) if s <= e && e - s < MAX_DAYS && known.len() == days.len() => (s..=e)
            .map(|n| {
                let date = date_of(n);
                let value = days.iter().find(|(d, _)| *d == date).map(|(_, v)| *v).unwrap_or(0);
                (date, value)
            })
            .collect(),
        _ => days.to_vec(),
    }
}

/// Long names are cut to fit beside their bar; the full name is in the bar's title.
pub fn short_label(label: &str) -> String {
    // Wide enough for most names, narrow enough that a bold one in capitals
    // still fits the label column (a longer one was cut at its start).
    const MAX: usize = 18;
    if label.chars().count() <= MAX {
        label.to_string()
    } else {
        label.chars().take(MAX - 1).collect::<String>() + "…"
    }
}

#[component]
pub fn ColumnChart(id: &'static str, values: Vec<(String, i64)>) -> impl IntoView {
    const W: f64 = 720.0;
    const H: f64 = 180.0;
    let first = values.first().map(|(l, _)| l.clone()).unwrap_or_default();
    let last = values.last().map(|(l, _)| l.clone()).unwrap_or_default();
    let top = values.iter().map(|(_, v)| *v).max().unwrap_or(0);
    let bars = columns(&values, W, H);
    view! {
        <figure class="chart" id=id>
            <svg viewBox=format!("0 0 {W} {}", H + 22.0) role="img" preserveAspectRatio="none">
                <line x1="0" y1=H x2=W y2=H class="axis" />
                {bars
                    .into_iter()
                    .map(|b| {
                        view! {
                            <rect class="bar" x=b.x y=b.y width=b.w height=b.h data-label=b.label.clone() data-value=b.value>
                                <title>{format!("{}: {}", b.label, money(b.value))}</title>
                            </rect>
                        }
                    })
                    .collect_view()}
                <text x="0" y=H + 18.0 class="tick">{first}</text>
                <text x=W y=H + 18.0 class="tick end">{last}</text>
            </svg>
            <figcaption class="muted">{format!("Highest day {}", money(top))}</figcaption>
        </figure>
    }
}

/// Labelled horizontal bars with their amounts: top sellers, events, payment methods.
#[component]
pub fn RowChart(
    id: &'static str,
    values: Vec<(String, i64)>,
    /// What to write beside each bar when it is not its label (a product's
    /// name without its SKU); the bar keeps its full label in `data-label`.
    #[prop(optional)]
    shown: Option<Vec<String>>,
) -> impl IntoView {
    const W: f64 = 240.0;
    const ROW: f64 = 30.0;
    const LABEL: f64 = 215.0;
    const AMOUNT: f64 = 90.0;
    let height = (values.len().max(1) as f64) * ROW;
    let bars = rows(&values, W, ROW);
    view! {
        <figure class="chart rows" id=id>
            {if values.is_empty() { Some(view! { <p class="muted">"Nothing sold in this range."</p> }) } else { None }}
            <svg viewBox=format!("0 0 {} {height}", LABEL + W + AMOUNT) role="img">
                {bars
                    .into_iter()
                    .enumerate()
                    .map(|(i, b)| {
                        let mid = b.y + b.h / 2.0 + 5.0;
                        let text = shown.as_ref().and_then(|s| s.get(i)).unwrap_or(&b.label);
                        view! {
                            <g>
                                <text x=LABEL - 8.0 y=mid class="label end">{short_label(text)}</text>
                                <rect class="bar" x=LABEL + b.x y=b.y width=b.w.max(1.0) height=b.h data-label=b.label.clone() data-value=b.value>
                                    <title>{format!("{}: {}", b.label, money(b.value))}</title>
                                </rect>
                                <text x=LABEL + b.w + 6.0 y=mid class="amount">{money(b.value)}</text>
                            </g>
                        }
                    })
                    .collect_view()}
            </svg>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(pairs: &[(&str, i64)]) -> Vec<(String, i64)> {
        pairs.iter().map(|(l, v)| (l.to_string(), *v)).collect()
    }

    #[test]
    fn columns_are_proportional_and_stand_on_the_axis() {
        let bars = columns(&v(&[("mon", 500), ("tue", 1000), ("wed", 0), ("thu", -200)]), 400.0, 100.0);
        assert_eq!(bars.len(), 4);
        assert_eq!((bars[1].h, bars[1].y), (100.0, 0.0), "the largest fills the height");
        assert_eq!((bars[0].h, bars[0].y), (50.0, 50.0));
        assert_eq!(bars[2].h, 0.0);
        assert_eq!(bars[3].h, 0.0, "a negative day draws nothing");
        assert!(bars.windows(2).all(|w| w[0].x + w[0].w < w[1].x), "bars do not overlap");
        assert!(bars.iter().all(|b| b.x >= 0.0 && b.x + b.w <= 400.0));
    }

    #[test]
    fn day_numbers_round_trip_and_fill_the_gaps() {
        assert_eq!(day_number("1970-01-01"), Some(0));
        assert_eq!(day_number("2000-03-01"), Some(11_017));
        for n in [-1, 0, 59, 60, 11_016, 20_000, 20_781] {
            assert_eq!(day_number(&date_of(n)), Some(n));
        }
        assert_eq!(date_of(20_781), "2026-11-24");
        assert_eq!(day_number("2026-13-01"), None);
        let sold = v(&[("2026-02-27", 500), ("2026-03-02", 700)]);
        let all = every_day(&sold, "", "");
        assert_eq!(all, v(&[("2026-02-27", 500), ("2026-02-28", 0), ("2026-03-01", 0), ("2026-03-02", 700)]));
        assert_eq!(every_day(&sold, "2026-02-26", "2026-02-28").len(), 3);
        assert_eq!(every_day(&[], "", ""), vec![]);
        assert_eq!(every_day(&sold, "2020-01-01", "2026-03-02"), sold, "too long a range keeps only the days with sales");
        assert_eq!(short_label("Whipped Shea Body Butter 4 oz"), "Whipped Shea Body…");
        assert_eq!(short_label("Whipped Shea Body"), "Whipped Shea Body");
    }

    #[test]
    fn rows_scale_to_the_largest_and_all_zero_is_empty() {
        let bars = rows(&v(&[("a", 300), ("b", 1200)]), 360.0, 30.0);
        assert_eq!(bars[1].w, 360.0);
        assert_eq!(bars[0].w, 90.0);
        assert_eq!(bars[1].y, 32.0);
        assert!(rows(&v(&[("a", 0)]), 360.0, 30.0).iter().all(|b| b.w == 0.0));
        assert!(columns(&[], 100.0, 100.0).is_empty());
    }
}
