//! The CLI's own way to each remedy core names ([`Fix`]): core says what
//! is wrong in plain words; the terminal user is told the command.
use wildroot_core::error::Fix;
use wildroot_core::CoreError;

/// The command that fixes `e`, when there is one.
pub fn hint(e: &anyhow::Error) -> Option<&'static str> {
    let fix = e.chain().find_map(|c| c.downcast_ref::<CoreError>())?.fix()?;
    Some(match fix {
        Fix::ListProducts => "see them with `wildroot product list`",
        Fix::ListSupplies => "see them with `wildroot supply list`",
        Fix::ListEvents => "see them with `wildroot event list`",
        Fix::ListDevices => "`wildroot settings show` on a device shows its id",
        Fix::ListProductLots => "`wildroot lots SKU` and `wildroot batch list` list the lot codes",
        Fix::ListSupplyLots => "`wildroot lots SUPPLY --all` lists a supply's lot codes",
        Fix::SetRecipe => "set one with `wildroot recipe set SKU --yield N --line SUPPLY=QTY`",
        Fix::AddCustomer => "add them with `wildroot customer add --name N --email E`, or sell with --new-customer",
        Fix::OpenEvent => "open one with `wildroot event open NAME`",
        Fix::CloseEvent => "close it with `wildroot event close`",
        Fix::LogIn => "log in with `wildroot login --server URL --email E`",
        Fix::ConnectShopify => "run `wildroot shopify connect --shop NAME --token-file F`",
        Fix::ShopifyCatalogue => "see it with `wildroot shopify products`",
        Fix::ShopifyLocation => "give it with --location ID",
        Fix::MakeShort => "use --allow-short to make it anyway",
        Fix::GiveLines => "give them as --line SKU=QTY",
    })
}
