//! A label's ingredients (#25) for any recipe: every weighed supply the
//! batch consumed is listed once, by its INCI name where it has one, in
//! descending order by weight (millilitres by the supply's density, 1 g/ml
//! when unset and said so), counted supplies are left out as packaging,
//! and the shares add up to the whole.
use proptest::prelude::*;
use wildroot_core::batch::ProduceRequest;
use wildroot_core::product::NewProduct;
use wildroot_core::supply::{NewSupply, SupplyEdit};
use wildroot_core::{CoreError, Store};
use wildroot_model::{Money, Unit};

#[derive(Clone, Debug)]
struct Input {
    unit: Unit,
    qty: i64,
    density_mg: Option<i64>,
    inci: bool,
}

fn input() -> impl Strategy<Value = Input> {
    (prop_oneof![Just(Unit::G), Just(Unit::Ml), Just(Unit::Each)], 1i64..2000, proptest::option::of(500i64..2000), any::<bool>())
        .prop_map(|(unit, qty, density_mg, inci)| Input { unit, qty, density_mg: density_mg.filter(|_| unit == Unit::Ml), inci })
}

fn label_of(inputs: &[Input]) -> Result<(wildroot_model::label::Label, Vec<(String, i64)>), CoreError> {
    let mut s = Store::open_in_memory()?;
    s.add_product(NewProduct { sku: "SALVE".into(), name: "Salve".into(), price: Money(1000), ..Default::default() })?;
    let mut lines = Vec::new();
    let mut want = Vec::new();
    for (i, x) in inputs.iter().enumerate() {
        let name = format!("Supply {i:02}");
        s.add_supply(NewSupply { name: name.clone(), unit: Some(x.unit), ..Default::default() })?;
        let qty = format!("{}{}", x.qty, x.unit.as_str().replace("each", ""));
        s.receive_supply(&name, &format!("{}{}", x.qty * 2, x.unit.as_str().replace("each", "")), Money(100), None)?;
        let inci = format!("Inci {i:02}");
        let edit = SupplyEdit {
            inci: x.inci.then(|| inci.clone()),
            density: x.density_mg.map(|d| format!("{}.{:03}", d / 1000, d % 1000)),
            ..Default::default()
        };
        if edit.inci.is_some() || edit.density.is_some() {
            s.edit_supply(&name, edit)?;
        }
        lines.push((name.clone(), qty));
        let mg = match x.unit {
            Unit::G => Some(x.qty * 1000),
            Unit::Ml => Some(x.qty * x.density_mg.unwrap_or(1000)),
            Unit::Each => None,
        };
        if let Some(mg) = mg {
            want.push((if x.inci { inci } else { name }, mg));
        }
    }
    s.set_recipe("SALVE", 10, &lines)?;
    s.produce(ProduceRequest { sku: "SALVE".into(), batches: 1, lot_code: Some("LOT-1".into()), ..Default::default() })?;
    Ok((s.label("LOT-1")?, want))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]
    #[test]
    fn ingredients_are_every_weighed_supply_heaviest_first(inputs in proptest::collection::vec(input(), 1..8)) {
        let (label, mut want) = label_of(&inputs).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let got: Vec<(String, i64)> = label.ingredients.iter().map(|i| (i.name.clone(), i.weight_mg)).collect();
        prop_assert!(got.windows(2).all(|w| w[0].1 >= w[1].1), "heaviest first: {:?}", got);
        want.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        prop_assert_eq!(&got, &want);
        let shares: i64 = label.ingredients.iter().map(|i| i.share_bp).sum();
        prop_assert!(want.is_empty() || (shares - 10_000).abs() <= want.len() as i64, "shares {}", shares);
        let assumed = inputs.iter().any(|x| x.unit == Unit::Ml && x.density_mg.is_none());
        prop_assert_eq!(label.notes.iter().any(|n| n.contains("1 g per ml")), assumed);
    }
}
