//! `wildroot tax` and `wildroot tender`: the places a shop sells at and how
//! sales there are taxed, and the ways people pay there.
use super::*;
use wildroot_model::tax::TaxPlace;

#[derive(Subcommand)]
pub(crate) enum TaxCmd {
    /// Add a place (or replace its rates): tax add "Bristol VA" --rate 5.3% [--category food=2.5% …]
    Add {
        place: String,
        /// The standard rate there.
        #[arg(long)]
        rate: String,
        /// Prices already include the tax there.
        #[arg(long)]
        inclusive: bool,
        /// CATEGORY=RATE for a category taxed differently (food=2.5%); "exempt" is always 0%.
        #[arg(long = "category")]
        categories: Vec<String>,
        /// Sales outside a market day are taxed here.
        #[arg(long)]
        home: bool,
    },
    /// Every place and its rates.
    List,
}

pub(crate) fn tax(store: &mut Store, cmd: TaxCmd, format: Format) -> Result<String> {
    match cmd {
        TaxCmd::Add { place, rate, inclusive, categories, home } => {
            // The same reader as the app's settings form.
            let p = TaxPlace::typed(&place, &rate, inclusive, categories.iter().map(String::as_str)).map_err(|e| anyhow!(e))?;
            let p = store.set_tax_place(p, home)?;
            if format == Format::Json {
                json(&place_json(&p, store.home_place()?.name == p.name))
            } else {
                Ok(format!(
                    "{} taxes sales at {}{}.\n",
                    p.name,
                    rates(&p),
                    if home { "; sales outside a market day are taxed here" } else { "" }
                ))
            }
        }
        TaxCmd::List => {
            let places = store.tax_places()?;
            let home = store.home_place()?;
            if format == Format::Json {
                let list: Vec<_> = places.iter().map(|p| place_json(p, p.name == home.name)).collect();
                return json(&serde_json::json!({ "places": list, "home": home.name }));
            }
            let mut t = Table::new(&["place", "rate", "prices", "categories", "home"]);
            for p in &places {
                t.row(vec![
                    p.name.clone(),
                    percent(p.rate_bp),
                    if p.inclusive { "include tax" } else { "before tax" }.into(),
                    p.categories.iter().map(|(c, bp)| format!("{c} {}", percent(*bp))).collect::<Vec<_>>().join(", "),
                    if p.name == home.name { "yes" } else { "" }.into(),
                ]);
            }
            let mut out = t.render(format);
            if places.is_empty() && format == Format::Table {
                out = format!("No places yet: sales are taxed at the shop's rate of {}.\n", percent(home.rate_bp));
            }
            Ok(out)
        }
    }
}

fn rates(p: &TaxPlace) -> String {
    let mut s = format!("{}{}", percent(p.rate_bp), if p.inclusive { " (included in prices)" } else { "" });
    for (c, bp) in &p.categories {
        s.push_str(&format!(", {c} {}", percent(*bp)));
    }
    s
}

fn place_json(p: &TaxPlace, home: bool) -> serde_json::Value {
    serde_json::json!({
        "place": p.name,
        "rate_bp": p.rate_bp,
        "inclusive": p.inclusive,
        "categories": p.categories,
        "home": home,
    })
}

#[derive(Subcommand)]
pub(crate) enum TenderCmd {
    /// Add a way to pay (or change one): tender add SNAP --no-change
    Add {
        name: String,
        /// It never gives change (tokens, SNAP): it is never taken above what is due.
        #[arg(long)]
        no_change: bool,
        /// It is not counted in the drawer at close (Venmo, Zelle).
        #[arg(long)]
        not_in_drawer: bool,
    },
    /// Every way to pay.
    List,
}

pub(crate) fn tender(store: &mut Store, cmd: TenderCmd, format: Format) -> Result<String> {
    let list = match cmd {
        TenderCmd::Add { name, no_change, not_in_drawer } => {
            let t = store.add_tender(&name, !no_change, !not_in_drawer)?;
            if format != Format::Json {
                return Ok(format!(
                    "{} is a way to pay: {}, {}.\n",
                    t.name,
                    if t.gives_change { "change back in cash" } else { "never gives change" },
                    if t.in_drawer { "counted in the drawer" } else { "not in the drawer" }
                ));
            }
            vec![t]
        }
        TenderCmd::List => store.tenders()?,
    };
    if format == Format::Json {
        return json(&serde_json::json!({ "tenders": list }));
    }
    let mut t = Table::new(&["tender", "gives change", "in drawer"]);
    for (name, change, drawer) in [("cash", true, true), ("card", false, false), ("other", false, false)] {
        t.row(vec![name.into(), yes(change), yes(drawer)]);
    }
    for x in &list {
        t.row(vec![x.name.clone(), yes(x.gives_change), yes(x.in_drawer)]);
    }
    Ok(t.render(format))
}

fn yes(b: bool) -> String {
    if b { "yes" } else { "no" }.into()
}
