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
pub fn RowChart(id: &'static str, values: Vec<(String, i64)>) -> impl IntoView {
    const W: f64 = 360.0;
    const ROW: f64 = 30.0;
    const LABEL: f64 = 170.0;
    const AMOUNT: f64 = 100.0;
    let height = (values.len().max(1) as f64) * ROW;
    let bars = rows(&values, W, ROW);
    view! {
        <figure class="chart rows" id=id>
            {if values.is_empty() { Some(view! { <p class="muted">"Nothing sold in this range."</p> }) } else { None }}
            <svg viewBox=format!("0 0 {} {height}", LABEL + W + AMOUNT) role="img">
                {bars
                    .into_iter()
                    .map(|b| {
                        let mid = b.y + b.h / 2.0 + 5.0;
                        view! {
                            <g>
                                <text x=LABEL - 8.0 y=mid class="label end">{b.label.clone()}</text>
                                <rect class="bar" x=LABEL + b.x y=b.y width=b.w.max(1.0) height=b.h data-label=b.label.clone() data-value=b.value />
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
    fn rows_scale_to_the_largest_and_all_zero_is_empty() {
        let bars = rows(&v(&[("a", 300), ("b", 1200)]), 360.0, 30.0);
        assert_eq!(bars[1].w, 360.0);
        assert_eq!(bars[0].w, 90.0);
        assert_eq!(bars[1].y, 32.0);
        assert!(rows(&v(&[("a", 0)]), 360.0, 30.0).iter().all(|b| b.w == 0.0));
        assert!(columns(&[], 100.0, 100.0).is_empty());
    }
}
