//! Small pieces the owner's screens share: labelled fields bound to signals,
//! sortable tables, and the friendly text of quantities and times.
use leptos::prelude::*;
use wildroot_model::{Quantity, Unit};

/// A labelled text field bound to `value`.
pub fn field(label: &'static str, id: &'static str, value: RwSignal<String>) -> impl IntoView {
    view! {
        <label>
            {label}
            <input id=id prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
        </label>
    }
}

/// A labelled field with a hint of what to type.
pub fn field_hint(label: &'static str, id: &'static str, hint: &'static str, value: RwSignal<String>) -> impl IntoView {
    view! {
        <label>
            {label}
            <input id=id placeholder=hint prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
        </label>
    }
}

pub fn checkbox(label: &'static str, id: &'static str, value: RwSignal<bool>) -> impl IntoView {
    view! {
        <label class="check">
            <input type="checkbox" id=id prop:checked=move || value.get() on:change=move |ev| value.set(event_target_checked(&ev)) />
            {label}
        </label>
    }
}

/// 1200 g → "1.2 kg", 350 ml → "350 ml", 12 → "12".
pub fn qty(base: i64, unit: Unit) -> String {
    Quantity(base).display(unit)
}

/// A supply's average cost per kg / l / 1000 pieces.
pub fn per_unit(cost_per_1000_cents: i64, unit: Unit) -> String {
    let per = match unit {
        Unit::G => "kg",
        Unit::Ml => "l",
        Unit::Each => "1000",
    };
    format!("{}/{per}", crate::cart::money(cost_per_1000_cents))
}

/// UTC milliseconds as `YYYY-MM-DD HH:MM` in the screen's local time.
pub fn when(ms: i64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    format!("{:04}-{:02}-{:02} {:02}:{:02}", d.get_full_year(), d.get_month() + 1, d.get_date(), d.get_hours(), d.get_minutes())
}

/// What a stock movement was, in words.
pub fn reason_text(reason: &str) -> &str {
    match reason {
        "sale" => "Sold",
        "refund" => "Refunded",
        "shopify_order" => "Sold online",
        "shopify_refund" => "Refunded online",
        "shopify_cancel" => "Online order cancelled",
        "void" => "Sale voided",
        "purchase" => "Received",
        "batch_input" => "Used in a batch",
        "batch_output" => "Made",
        "adjustment" => "Adjusted",
        other => other,
    }
}

/// Which column a table is sorted by, and which way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sort<K> {
    pub key: K,
    pub descending: bool,
}

impl<K: PartialEq + Copy> Sort<K> {
    /// A click on a header: the same column flips, another sorts ascending.
    pub fn click(self, key: K) -> Sort<K> {
        if self.key == key {
            Sort { key, descending: !self.descending }
        } else {
            Sort { key, descending: false }
        }
    }

    pub fn arrow(self, key: K) -> &'static str {
        match (self.key == key, self.descending) {
            (false, _) => "",
            (true, false) => " ▲",
            (true, true) => " ▼",
        }
    }

    pub fn apply<T>(self, rows: &mut [T], cmp: impl Fn(K, &T, &T) -> std::cmp::Ordering) {
        rows.sort_by(|a, b| {
            let o = cmp(self.key, a, b);
            if self.descending {
                o.reverse()
            } else {
                o
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorting_flips_on_the_same_column() {
        let s = Sort { key: 1, descending: false };
        assert_eq!(s.click(1), Sort { key: 1, descending: true });
        assert_eq!(s.click(1).click(2), Sort { key: 2, descending: false });
        let mut rows = vec![3, 1, 2];
        Sort { key: 0, descending: true }.apply(&mut rows, |_, a, b| a.cmp(b));
        assert_eq!(rows, vec![3, 2, 1]);
        assert_eq!(s.arrow(1), " ▲");
        assert_eq!(s.arrow(0), "");
    }

    #[test]
    fn quantities_read_like_a_person_would_say_them() {
        assert_eq!(qty(1200, Unit::G), "1.2 kg");
        assert_eq!(qty(350, Unit::Ml), "350 ml");
        assert_eq!(per_unit(2000, Unit::G), "$20.00/kg");
        assert_eq!(reason_text("batch_output"), "Made");
    }
}
