//! What each command does, as plain functions over the shell's state so they
//! can be tested without a window. Each one reads a request from
//! `wildroot_model::app` and calls the core; none holds business rules or SQL.
use crate::owner::{self, business_name};
use crate::shell::Shell;
use wildroot_core::sale::{CustomItem, LineRequest, SaleRequest, TipRequest};
use wildroot_core::{CoreError, Result, Store};
use wildroot_model::app::*;
use wildroot_model::views::*;
use wildroot_model::{Money, SaleId};

pub fn home(store: &Store, _: Home) -> Result<HomeView> {
    let event = store.current_event()?;
    let totals = match &event {
        Some(e) => Some(store.z_report(&e.id.to_string())?),
        None => None,
    };
    let place = store.place_now()?;
    let role = owner::role(store)?;
    Ok(HomeView {
        business_name: business_name(store)?,
        products: store.list_products(None, None)?,
        event,
        totals,
        tax_bp: place.rate_bp,
        tax_inclusive: place.inclusive,
        tax_place: Some(place),
        currency: store.currency()?,
        role,
        discount_presets: store.discount_presets()?,
        tenders: store.tenders()?,
        tax_places: store.tax_places()?,
    })
}

pub fn search(store: &Store, req: Search) -> Result<Vec<ProductView>> {
    store.list_products(Some(&req.query), Some(50))
}

pub fn sell(store: &mut Store, req: Sell) -> Result<SaleReceipt> {
    store.sell(SaleRequest {
        lines: req
            .lines
            .into_iter()
            .map(|l| LineRequest {
                key: l.sku,
                qty: l.qty,
                unit_price: l.custom.as_ref().map(|c| c.unit_price),
                discount: l.discount,
                lot: l.lot,
                custom: l.custom.map(|c| CustomItem { tax_category: c.tax_category }),
            })
            .collect(),
        discount: req.discount,
        customer: req.customer,
        // The booth takes a contact for the receipt with no form to fill in.
        add_customer: true,
        payments: req.payments.into_iter().map(|(m, cents)| (m, Money(cents))).collect(),
        tenders: req.tenders.into_iter().map(|(name, cents)| (name, Money(cents))).collect(),
        tip: (req.tip_cents != 0).then_some(TipRequest::Amount(Money(req.tip_cents))),
    })
}

pub fn withdraw_payment(store: &mut Store, req: WithdrawPayment) -> Result<()> {
    store.withdraw_payment(req.method, req.amount, req.charged)
}

pub fn park_cart(store: &mut Store, req: ParkCart) -> Result<Vec<ParkedView>> {
    store.park_cart(&req.label, &req.cart)
}

pub fn list_parked(store: &Store, _: ListParked) -> Result<Vec<ParkedView>> {
    store.parked_carts()
}

pub fn resume_parked(store: &mut Store, req: ResumeParked) -> Result<ParkedCart> {
    store.resume_parked(&req.id)
}

pub fn recent_sales(store: &Store, req: RecentSales) -> Result<Vec<SaleSummary>> {
    let event = store.current_event()?.map(|e| e.id);
    store.recent_sales(event, req.limit)
}

pub fn receipt(store: &Store, req: GetReceipt) -> Result<wildroot_model::receipt::Receipt> {
    store.receipt(&req.sale_id.to_string())
}

pub fn printer(store: &Store) -> Result<wildroot_model::receipt::PrinterView> {
    Ok(store.printer_settings()?.view())
}

/// This device's printer: a vendor's booth phone sets its own.
pub fn save_printer(store: &mut Store, req: SavePrinter) -> Result<wildroot_model::receipt::PrinterView> {
    let settings = wildroot_core::receipt::PrinterSettings::from_view(&req.printer)?;
    Ok(store.save_printer(settings)?.view())
}

/// This device's mail server, for a shop with no server (the owner's device sends).
pub fn save_mail(
    store: &mut Store,
    key: &wildroot_core::shopify::link::DeviceKey,
    req: SaveMail,
) -> Result<Option<wildroot_model::mail::MailServer>> {
    use wildroot_model::mail::{password, MailServer, Security};
    if req.off {
        store.clear_mail()?;
    } else {
        let security = Security::parse(&req.security).map_err(CoreError::Invalid)?;
        let from = Some(req.from.as_str()).filter(|f| !f.trim().is_empty());
        let server = MailServer::parse(&req.smtp, security, &req.user, from).map_err(CoreError::Invalid)?;
        let password = password(&req.password).map_err(|_| CoreError::Invalid("type the mail password".into()))?;
        store.set_mail(key, &server, &password)?;
    }
    store.mail_server()
}

pub fn void_sale(store: &mut Store, req: VoidSale) -> Result<SaleId> {
    store.void_sale(&req.sale_id.to_string(), &req.reason)
}

pub fn refund_sale(store: &mut Store, req: RefundSale) -> Result<RefundReceipt> {
    store.refund(&req.sale_id.to_string(), None, req.restock)
}

pub fn open_event(store: &mut Store, req: OpenEvent) -> Result<EventView> {
    let location = Some(req.location.trim()).filter(|l| !l.is_empty());
    let place = req.place.as_deref().map(str::trim).filter(|p| !p.is_empty()).map(|p| store.tax_place(p)).transpose()?;
    let terms = wildroot_model::op::EventTerms { place, ..Default::default() };
    store.open_event_with(&req.name, location, None, Money(req.float_cents), terms)
}

pub fn product_lots(store: &Store, req: ProductLots) -> Result<Vec<LotChoice>> {
    Ok(store
        .lots_in_stock(&req.sku)?
        .into_iter()
        .map(|l| LotChoice { lot_code: l.lot_code, on_hand: l.on_hand, expires_on: l.expires_on })
        .collect())
}

pub fn join_event(store: &mut Store, req: JoinEvent) -> Result<EventView> {
    store.join_event(&req.event_id.to_string(), Money(req.float_cents))
}

pub fn get_allotment(store: &Store, _: GetAllotment) -> Result<Option<AllotmentView>> {
    store.allotment()
}

pub fn close_event(store: &mut Store, req: CloseEvent) -> Result<ZReport> {
    store.close_event(Money(req.counted_cents))
}

pub fn list_events(store: &Store, _: ListEvents) -> Result<Vec<EventView>> {
    store.list_events()
}

pub fn event_report(store: &Store, req: EventReport) -> Result<ZReport> {
    store.z_report(&req.event_id.to_string())
}

pub fn settle_event(store: &Store, req: SettleEvent) -> Result<SettleStatement> {
    store.settle_event(&req.event_id.to_string())
}

pub fn get_sync(shell: &Shell, _: GetSync) -> Result<AppSync> {
    Ok(AppSync { status: shell.store()?.sync_status()?, syncing: shell.is_syncing() })
}

pub fn sync_now(shell: &Shell, _: SyncNow) -> Result<AppSync> {
    if !shell.wake_sync() {
        return Err(CoreError::Invalid("this device is not connected to a server: connect it in Settings first".into()));
    }
    get_sync(shell, GetSync {})
}

/// The day the network never comes back before the battery dies: this
/// device's unsynced changes, as a file for `wildroot server import-ops`.
pub fn export_unsynced(shell: &Shell, _: ExportUnsynced) -> Result<String> {
    let (bytes, name) = unsynced_file(shell)?;
    let dir = shell.export_dir();
    std::fs::create_dir_all(dir).map_err(|e| CoreError::Invalid(format!("cannot create {}: {e}", dir.display())))?;
    write_file(&dir.join(name), &bytes)
}

/// This device's unsynced changes as the file's bytes, and the file's
/// usual name; refused when there is nothing to carry.
pub fn unsynced_file(shell: &Shell) -> Result<(Vec<u8>, String)> {
    let store = shell.store()?;
    let file = store.export_unsynced()?;
    if file.ops.is_empty() {
        return Err(CoreError::Invalid("every change here has reached the server: there is nothing to export".into()));
    }
    let bytes = serde_json::to_vec(&file).map_err(|e| CoreError::Invalid(format!("cannot write the changes: {e}")))?;
    Ok((bytes, format!("wildroot-unsynced-{}.json", crate::shell::chrono_stamp(store.now_ms()))))
}

/// Writes a file the person asked for and answers with where it went.
pub fn write_file(path: &std::path::Path, bytes: &[u8]) -> Result<String> {
    std::fs::write(path, bytes).map_err(|e| CoreError::Invalid(format!("cannot write {}: {e}", path.display())))?;
    Ok(path.display().to_string())
}

/// Another device's file of unsynced changes, applied here (booth work
/// only, each change once: the core's rule for files carried by hand).
pub fn import_changes(shell: &Shell, req: ImportChanges) -> Result<ImportedChanges> {
    let path = req.path.trim();
    if path.is_empty() {
        return Err(CoreError::Invalid("give the file of changes to import".into()));
    }
    let bytes = std::fs::read(path).map_err(|e| CoreError::Invalid(format!("cannot read {path}: {e}")))?;
    let file = wildroot_model::sync::OpsFile::parse(&bytes).map_err(CoreError::Invalid)?;
    let report = shell.store()?.import_ops_file(&file)?;
    Ok(ImportedChanges { operations: file.ops.len(), applied: report.applied, refused: report.refused })
}

pub fn start_fresh(shell: &Shell, req: StartFresh) -> Result<SettingsView> {
    shell.start_fresh(&req.business_name)?;
    owner::get_settings(shell, GetSettings {})
}

#[cfg(test)]
mod tests {
    use super::*;
    use wildroot_model::op::PayMethod;
    use wildroot_model::pricing::Discount;

    fn demo() -> Result<Store> {
        let mut store = Store::open_in_memory()?;
        store.seed_demo()?;
        Ok(store)
    }

    fn item(sku: &str, qty: i64) -> CartItem {
        CartItem { sku: sku.into(), qty, discount: None, lot: None, custom: None }
    }

    #[test]
    fn unsynced_changes_are_saved_to_a_file_another_device_can_import() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| CoreError::Invalid(e.to_string()))?;
        let shell = Shell::open(dir.path().join("phone.db"), None)?.exporting_to(dir.path().join("exports"));
        let path = export_unsynced(&shell, ExportUnsynced {})?;
        assert!(path.starts_with(&dir.path().join("exports").display().to_string()), "{path}");
        let bytes = std::fs::read(&path).map_err(|e| CoreError::Invalid(e.to_string()))?;
        let file = wildroot_model::sync::OpsFile::parse(&bytes).map_err(CoreError::Invalid)?;
        assert_eq!(file.ops.len() as i64, shell.store()?.sync_status()?.pending);
        // The laptop has the owner's catalogue (it syncs it); the file
        // carries what a booth may record, and the rest is left out, said why.
        let mut laptop = Store::open_in_memory()?;
        let owner_work: Vec<_> = wildroot_core::oplog::all_ops(shell.store()?.conn())?
            .into_iter()
            .filter(|o| !wildroot_model::sync::Role::Vendor.may(o.kind.name()))
            .collect();
        wildroot_core::oplog::apply_foreign(&mut laptop, &owner_work)?;
        let report = laptop.import_ops_file(&file)?;
        assert_eq!(report.applied + owner_work.len(), file.ops.len());
        assert_eq!(report.refused.len(), owner_work.len(), "owner-only changes travel by sync, not by file");
        assert_eq!(laptop.list_products(None, None)?, shell.store()?.list_products(None, None)?);
        // Once everything has reached the server there is nothing to save.
        shell.store()?.conn().execute("UPDATE ops SET server_seq = seq", [])?;
        let err = export_unsynced(&shell, ExportUnsynced {}).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("nothing to export"), "{err}");
        Ok(())
    }

    #[test]
    fn a_file_of_changes_is_imported_once_and_a_wrong_file_is_named() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| CoreError::Invalid(e.to_string()))?;
        let phone = Shell::open(dir.path().join("phone.db"), None)?.exporting_to(dir.path().join("exports"));
        let path = export_unsynced(&phone, ExportUnsynced {})?;
        let laptop = Shell::open(dir.path().join("laptop.db"), None)?;
        let owner_work: Vec<_> = wildroot_core::oplog::all_ops(phone.store()?.conn())?
            .into_iter()
            .filter(|o| !wildroot_model::sync::Role::Vendor.may(o.kind.name()))
            .collect();
        wildroot_core::oplog::apply_foreign(&mut *laptop.store()?, &owner_work)?;
        let first = import_changes(&laptop, ImportChanges { path: format!("  {path} ") })?;
        assert_eq!(first.operations, phone.store()?.sync_status()?.pending as usize);
        assert_eq!(first.applied + first.refused.len(), first.operations);
        assert!(first.applied > 0 && first.refused.len() == owner_work.len(), "{first:?}");
        let again = import_changes(&laptop, ImportChanges { path: path.clone() })?;
        assert_eq!(again.applied, 0, "a second import changes nothing");
        let mine = import_changes(&phone, ImportChanges { path }).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(mine.contains("exported from this device"), "{mine}");
        let junk = dir.path().join("notes.txt");
        std::fs::write(&junk, "market list").map_err(|e| CoreError::Invalid(e.to_string()))?;
        let before = laptop.store()?.sync_status()?.pending;
        let wrong =
            import_changes(&laptop, ImportChanges { path: junk.display().to_string() }).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(wrong.contains("not a Wildroot operations file") && !wrong.contains("wildroot "), "{wrong}");
        let none = import_changes(&laptop, ImportChanges { path: " ".into() }).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(none.contains("give the file"), "{none}");
        assert_eq!(laptop.store()?.sync_status()?.pending, before, "a refused file changes nothing");
        Ok(())
    }

    #[test]
    fn a_sale_from_the_pos_lands_in_the_history_with_its_customer() -> Result<()> {
        let mut store = demo()?;
        let before = home(&store, Home {})?;
        let p = &before.products[0];
        let receipt = sell(
            &mut store,
            Sell {
                lines: vec![item(&p.sku, 2)],
                discount: Some(Discount::Amount(Money(100))),
                customer: Some("jo@example.com".into()),
                payments: vec![(PayMethod::Card, 500), (PayMethod::Cash, 10_000)],
                ..Default::default()
            },
        )?;
        assert_eq!(receipt.total_cents, p.price_cents * 2 - 100 + receipt.tax_cents * i64::from(!before.tax_inclusive));
        assert_eq!(receipt.change_cents, 500 + 10_000 - receipt.total_cents);
        let after = home(&store, Home {})?;
        assert_eq!(after.products[0].on_hand, p.on_hand - 2);
        let history = recent_sales(&store, RecentSales { limit: 5 })?;
        assert_eq!(history[0].receipt_no, receipt.receipt_no);
        assert_eq!(history[0].customer.as_deref(), Some("jo@example.com"));
        assert_eq!(history[0].payments.len(), 2);
        assert_eq!(history[0].lines[0].qty, 2);
        // The same contact again is the same customer, not a second one.
        sell(
            &mut store,
            Sell {
                lines: vec![item(&p.sku, 1)],
                discount: None,
                customer: Some("JO@example.com".into()),
                payments: vec![(PayMethod::Cash, 100_000)],
                ..Default::default()
            },
        )?;
        assert_eq!(store.list_customers(Some("jo@"))?.len(), 1);
        Ok(())
    }

    /// The customer is added in the sale's own transaction: a sale refused
    /// (cash short) adds no one.
    #[test]
    fn a_refused_sale_with_a_new_contact_adds_no_customer() -> Result<()> {
        let mut store = demo()?;
        let p = home(&store, Home {})?.products[0].clone();
        let customers = store.list_customers(None)?.len();
        let short = Sell {
            lines: vec![item(&p.sku, 1)],
            discount: None,
            customer: Some("new@example.com".into()),
            payments: vec![(PayMethod::Cash, 1)],
            ..Default::default()
        };
        assert!(sell(&mut store, short).is_err());
        assert_eq!(store.list_customers(None)?.len(), customers, "a refused sale left a customer behind");
        assert!(store.list_customers(Some("new@"))?.is_empty());
        Ok(())
    }

    #[test]
    fn refund_and_void_bring_the_stock_back() -> Result<()> {
        let mut store = demo()?;
        let sku = home(&store, Home {})?.products[1].sku.clone();
        let start = store_on_hand(&store, &sku);
        let a = sell(
            &mut store,
            Sell {
                lines: vec![item(&sku, 1)],
                discount: None,
                customer: None,
                payments: vec![(PayMethod::Cash, 100_000)],
                ..Default::default()
            },
        )?;
        let b = sell(
            &mut store,
            Sell { lines: vec![item(&sku, 2)], discount: None, customer: None, payments: vec![(PayMethod::Card, 0)], ..Default::default() },
        )
        .err()
        .map(|e| e.to_string());
        assert!(b.is_some_and(|m| m.contains("not positive")), "a zero card payment is refused");
        assert_eq!(store_on_hand(&store, &sku), start - 1);
        let r = refund_sale(&mut store, RefundSale { sale_id: a.sale_id, restock: true })?;
        assert_eq!(r.total_cents, a.total_cents);
        assert_eq!(store_on_hand(&store, &sku), start);
        let c = sell(
            &mut store,
            Sell {
                lines: vec![item(&sku, 3)],
                discount: None,
                customer: None,
                payments: vec![(PayMethod::Cash, 100_000)],
                ..Default::default()
            },
        )?;
        void_sale(&mut store, VoidSale { sale_id: c.sale_id, reason: "rang up twice".into() })?;
        assert_eq!(store_on_hand(&store, &sku), start);
        assert!(void_sale(&mut store, VoidSale { sale_id: c.sale_id, reason: "again".into() }).is_err());
        Ok(())
    }

    /// The printer a settings screen saves is checked by the CLI's rules,
    /// and printing after each sale needs one.
    #[test]
    fn a_device_saves_its_printer_and_bad_settings_change_nothing() -> Result<()> {
        use wildroot_model::receipt::PrinterView;
        let mut store = demo()?;
        let view = |kind: &str, address: &str, width_mm: u32, auto_print: bool| SavePrinter {
            printer: PrinterView { kind: Some(kind.into()), address: Some(address.into()), width_mm, auto_print },
        };
        let saved = save_printer(&mut store, view("tcp", "127.0.0.1:9100", 58, true))?;
        assert_eq!(
            (saved.kind.as_deref(), saved.address.as_deref(), saved.width_mm, saved.auto_print),
            (Some("tcp"), Some("127.0.0.1:9100"), 58, true)
        );
        for (bad, says) in [
            (view("tcp", "printer", 58, false), "HOST:PORT"),
            (view("device", "lp0", 58, false), "full path"),
            (view("tcp", "127.0.0.1:9100", 76, false), "58 or 80"),
            (view("none", "", 80, true), "needs a printer"),
            (view("fax", "", 80, false), "not a kind of printer"),
        ] {
            let err = save_printer(&mut store, bad).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(err.contains(says), "{err}");
        }
        assert_eq!(printer(&store)?, saved, "a refused setting changes nothing");
        let cleared = save_printer(&mut store, view("none", "", 80, false))?;
        assert_eq!((cleared.kind, cleared.auto_print), (None, false));
        Ok(())
    }

    fn store_on_hand(store: &Store, sku: &str) -> i64 {
        store.product(sku).map(|p| p.on_hand).unwrap_or(i64::MIN)
    }

    #[test]
    fn a_market_day_opens_totals_and_closes() -> Result<()> {
        let mut store = demo()?;
        let ev = open_event(&mut store, OpenEvent { name: "Tuesday market".into(), location: " ".into(), float_cents: 5000, place: None })?;
        assert!(ev.open);
        assert!(open_event(&mut store, OpenEvent { name: "Another".into(), location: String::new(), float_cents: 0, place: None }).is_err());
        let sku = home(&store, Home {})?.products[0].sku.clone();
        let sale = sell(
            &mut store,
            Sell {
                lines: vec![item(&sku, 1)],
                discount: None,
                customer: None,
                payments: vec![(PayMethod::Cash, 100_000)],
                ..Default::default()
            },
        )?;
        let h = home(&store, Home {})?;
        let totals = h.totals.ok_or_else(|| CoreError::Invalid("no totals".into()))?;
        assert_eq!((totals.sales_count, totals.total_cents), (1, sale.total_cents));
        assert_eq!(recent_sales(&store, RecentSales { limit: 50 })?.len(), 1, "only the open event's sales");
        let z = close_event(&mut store, CloseEvent { counted_cents: 5000 + sale.total_cents - 100 })?;
        assert_eq!(z.over_short_cents, Some(-100));
        assert!(home(&store, Home {})?.event.is_none());
        assert_eq!(event_report(&store, EventReport { event_id: ev.id })?.over_short_cents, Some(-100));
        Ok(())
    }

    #[test]
    fn bad_input_says_what_to_fix_and_changes_nothing() -> Result<()> {
        let mut store = demo()?;
        let before = store_ops(&store);
        let err = |r: Result<SaleReceipt>| r.err().map(|e| e.to_string()).unwrap_or_default();
        let cash = vec![(PayMethod::Cash, 100_000)];
        assert!(err(sell(
            &mut store,
            Sell { lines: vec![], discount: None, customer: None, payments: cash.clone(), ..Default::default() }
        ))
        .contains("at least one line"));
        assert!(err(sell(
            &mut store,
            Sell { lines: vec![item("NOPE", 1)], discount: None, customer: None, payments: cash.clone(), ..Default::default() }
        ))
        .contains("NOPE"));
        let sku = home(&store, Home {})?.products[0].sku.clone();
        assert!(err(sell(
            &mut store,
            Sell { lines: vec![item(&sku, 1)], discount: None, customer: Some("hi".into()), payments: cash, ..Default::default() }
        ))
        .contains("neither an email"));
        assert!(err(sell(
            &mut store,
            Sell { lines: vec![item(&sku, 1)], discount: None, customer: None, payments: vec![(PayMethod::Cash, 1)], ..Default::default() }
        ))
        .contains("short"));
        assert_eq!(store_ops(&store), before);
        Ok(())
    }

    fn store_ops(store: &Store) -> i64 {
        store.conn().query_row("SELECT COUNT(*) FROM ops", [], |r| r.get(0)).unwrap_or(-1)
    }
}
