//! The CLI's own way to each remedy core names ([`Fix`]): core says what
//! is wrong in plain words; the terminal user is told the command.
use wildroot_core::error::Fix;
use wildroot_core::CoreError;

/// The command that fixes `e`, when there is one.
pub fn hint(e: &anyhow::Error) -> Option<&'static str> {
    let fix = e.chain().find_map(|c| c.downcast_ref::<CoreError>())?.fix()?;
    Some(match fix {
        Fix::ListProducts => "`wildroot product list` lists them",
        Fix::ListSupplies => "`wildroot supply list` lists them",
        Fix::ListEvents => "`wildroot event list` lists them",
        Fix::ListDevices => "`wildroot settings show` on a device shows its id",
        Fix::ListProductLots => "`wildroot lots SKU` and `wildroot batch list` list the lot codes",
        Fix::ListSupplyLots => "`wildroot lots SUPPLY --all` lists a supply's lot codes",
        Fix::SetRecipe => "`wildroot recipe set SKU --yield N --line SUPPLY=QTY`",
        Fix::AddCustomer => "`wildroot customer add --name N --email E`, or sell with --new-customer",
        Fix::OpenEvent => "`wildroot event open NAME`",
        Fix::CloseEvent => "`wildroot event close`",
        Fix::LogIn => "`wildroot login --server URL --email E`",
        Fix::ConnectShopify => "`wildroot shopify connect --shop NAME --token-file F`",
        Fix::ShopifyCatalogue => "`wildroot shopify products` lists it",
        Fix::ShopifyLocation => "give it with --location ID",
        Fix::MakeShort => "use --allow-short to make it anyway",
        Fix::GiveLines => "give them as --line SKU=QTY",
    })
}
