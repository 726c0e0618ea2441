//! The requested cost of a GraphQL query by Shopify's documented rules, so
//! every query Wildroot sends can be checked against the single-query limit
//! (1,000 points) before it is sent, and its page sizes chosen to fit.
//!
//! The rules (shopify.dev, "GraphQL Admin API rate limits", and Shopify's
//! engineering write-up of the calculated query cost): a scalar or enum
//! costs 0; an object 1, plus what is selected in it; a connection (a field
//! sized by a `first` or `last` argument) 2, plus its size times the cost
//! of one of its nodes (the node an object: 1 plus its selection), so
//! nested connections multiply; `pageInfo` and the `edges`/`nodes`
//! wrappers add nothing of their own; each field of a mutation costs 10.
//! Fields are read from the query text; a size given as a variable is read
//! from the variables.
use serde_json::Value;

/// Shopify refuses, before running it, any query that asks for more.
pub const MAX_QUERY_COST: u64 = 1000;

#[derive(Debug, PartialEq)]
struct Field {
    name: String,
    /// The `first`/`last` argument, when the field has one.
    size: Option<Size>,
    children: Vec<Field>,
}

#[derive(Debug, PartialEq)]
enum Size {
    Literal(u64),
    Variable(String),
    /// The length of a list variable (`nodes(ids: $ids)`).
    Count(String),
}

struct Parser<'a> {
    s: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn skip(&mut self) {
        while self.at < self.s.len() {
            match self.s[self.at] {
                b' ' | b'\t' | b'\n' | b'\r' | b',' => self.at += 1,
                b'#' => {
                    while self.at < self.s.len() && self.s[self.at] != b'\n' {
                        self.at += 1;
                    }
                }
                _ => break,
            }
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip();
        self.s.get(self.at).copied()
    }

    fn name(&mut self) -> Result<String, String> {
        self.skip();
        let start = self.at;
        while self.at < self.s.len() && (self.s[self.at].is_ascii_alphanumeric() || self.s[self.at] == b'_') {
            self.at += 1;
        }
        if start == self.at {
            return Err(format!("a name was expected at byte {start}"));
        }
        Ok(String::from_utf8_lossy(&self.s[start..self.at]).into_owned())
    }

    /// Skips a balanced `( … )` or `[ … ]`, strings included.
    fn skip_balanced(&mut self, open: u8, close: u8) -> Result<(), String> {
        let mut depth = 0usize;
        while self.at < self.s.len() {
            let c = self.s[self.at];
            self.at += 1;
            if c == b'"' {
                while self.at < self.s.len() && self.s[self.at] != b'"' {
                    if self.s[self.at] == b'\\' {
                        self.at += 1;
                    }
                    self.at += 1;
                }
                self.at += 1;
            } else if c == open {
                depth += 1;
            } else if c == close {
                depth -= 1;
                if depth == 0 {
                    return Ok(());
                }
            }
        }
        Err("an unclosed bracket".into())
    }

    /// A field's arguments: only `first`/`last` matter for the cost.
    fn arguments(&mut self) -> Result<Option<Size>, String> {
        let start = self.at;
        self.skip_balanced(b'(', b')')?;
        let text = String::from_utf8_lossy(&self.s[start + 1..self.at - 1]).into_owned();
        let mut size = None;
        for part in split_top(&text) {
            let Some((key, value)) = part.split_once(':') else { continue };
            if key.trim() == "ids" && size.is_none() {
                // `nodes(ids: …)`: a list as long as the ids asked for.
                let value = value.trim();
                size = Some(match value.strip_prefix('$') {
                    Some(var) => Size::Count(var.trim().to_string()),
                    None => Size::Literal(value.matches(',').count() as u64 + 1),
                });
            }
            if matches!(key.trim(), "first" | "last") {
                let value = value.trim();
                size = Some(match value.strip_prefix('$') {
                    Some(var) => Size::Variable(var.trim().to_string()),
                    None => Size::Literal(value.parse().map_err(|_| format!("'{value}' is not a page size"))?),
                });
            }
        }
        Ok(size)
    }

    fn selection(&mut self) -> Result<Vec<Field>, String> {
        if self.peek() != Some(b'{') {
            return Err("a selection '{' was expected".into());
        }
        self.at += 1;
        let mut fields = Vec::new();
        loop {
            match self.peek() {
                Some(b'}') => {
                    self.at += 1;
                    return Ok(fields);
                }
                None => return Err("an unclosed selection".into()),
                Some(b'.') => {
                    // An inline fragment `... on Type { … }`: its fields are
                    // the object's (one type at a time, so no maximum to take).
                    while self.peek() == Some(b'.') {
                        self.at += 1;
                    }
                    if self.name()? != "on" {
                        return Err("named fragments are not used by Wildroot's queries".into());
                    }
                    self.name()?;
                    fields.extend(self.selection()?);
                    continue;
                }
                _ => {}
            }
            let mut name = self.name()?;
            if self.peek() == Some(b':') {
                // An alias: the field is what follows.
                self.at += 1;
                name = self.name()?;
            }
            let size = if self.peek() == Some(b'(') { self.arguments()? } else { None };
            while self.peek() == Some(b'@') {
                self.at += 1;
                self.name()?;
                if self.peek() == Some(b'(') {
                    self.skip_balanced(b'(', b')')?;
                }
            }
            let children = if self.peek() == Some(b'{') { self.selection()? } else { Vec::new() };
            fields.push(Field { name, size, children });
        }
    }
}

/// Splits `a: 1, b: "x, y", c: [1, 2]` at its top-level commas.
fn split_top(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let (mut depth, mut quoted, mut cur) = (0i32, false, String::new());
    for c in s.chars() {
        match c {
            '"' => quoted = !quoted,
            '(' | '[' | '{' if !quoted => depth += 1,
            ')' | ']' | '}' if !quoted => depth -= 1,
            ',' if !quoted && depth == 0 => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur);
    out
}

fn size_of(size: &Size, variables: &Value) -> Result<u64, String> {
    match size {
        Size::Literal(n) => Ok(*n),
        Size::Variable(v) => variables.get(v).and_then(Value::as_u64).ok_or_else(|| format!("the page size ${v} is not given")),
        Size::Count(v) => {
            variables.get(v).and_then(Value::as_array).map(|a| a.len() as u64).ok_or_else(|| format!("the list ${v} is not given"))
        }
    }
}

/// The cost of what is selected inside an object.
fn selection_cost(fields: &[Field], variables: &Value) -> Result<u64, String> {
    let mut total = 0u64;
    for f in fields {
        total = total.saturating_add(field_cost(f, variables)?);
    }
    Ok(total)
}

fn field_cost(f: &Field, variables: &Value) -> Result<u64, String> {
    if f.children.is_empty() {
        return Ok(0);
    }
    if f.name == "pageInfo" || f.name.starts_with("__") {
        return Ok(0);
    }
    match &f.size {
        Some(size) => {
            let n = size_of(size, variables)?;
            let wrapped = f.children.iter().any(|c| matches!(c.name.as_str(), "nodes" | "edges"));
            // One node: `nodes { … }` or `edges { node { … } }` of a
            // connection, or the selection itself of a sized list; an object.
            let mut node = 0u64;
            let mut extra = 0u64;
            if wrapped {
                for c in &f.children {
                    match c.name.as_str() {
                        "nodes" => node = node.max(1 + selection_cost(&c.children, variables)?),
                        "edges" => {
                            for e in c.children.iter().filter(|e| e.name == "node") {
                                node = node.max(1 + selection_cost(&e.children, variables)?);
                            }
                        }
                        // Anything else on the connection itself (its pageInfo is free).
                        _ => extra = extra.saturating_add(field_cost(c, variables)?),
                    }
                }
            } else {
                node = 1 + selection_cost(&f.children, variables)?;
            }
            Ok(2u64.saturating_add(n.saturating_mul(node)).saturating_add(extra))
        }
        None => Ok(1u64.saturating_add(selection_cost(&f.children, variables)?)),
    }
}

/// The requested cost of `query` with `variables`, by the rules above.
pub fn requested_cost(query: &str, variables: &Value) -> Result<u64, String> {
    let mut p = Parser { s: query.as_bytes(), at: 0 };
    let mutation = match p.peek() {
        Some(b'{') => false,
        Some(_) => {
            let op = p.name()?;
            if p.peek().is_some_and(|c| c.is_ascii_alphabetic() || c == b'_') {
                p.name()?;
            }
            if p.peek() == Some(b'(') {
                p.skip_balanced(b'(', b')')?;
            }
            match op.as_str() {
                "query" => false,
                "mutation" => true,
                other => return Err(format!("'{other}' is not an operation Wildroot sends")),
            }
        }
        None => return Err("an empty query".into()),
    };
    let root = p.selection()?;
    if mutation {
        return Ok(10 * root.len() as u64);
    }
    selection_cost(&root, variables)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Shopify's own examples: an object and its scalars cost 1; a
    /// connection 2 plus one per node; nested connections multiply.
    #[test]
    fn the_documented_examples() {
        assert_eq!(requested_cost("{ shop { id name timezoneOffsetMinutes customerAccounts } }", &json!({})), Ok(1));
        assert_eq!(requested_cost("query { products(first: 5) { edges { node { id title } } } }", &json!({})), Ok(7));
        let nested = "{ products(first: 10) { edges { node { title variants(first: 5) { edges { node { price } } } } } } }";
        assert_eq!(requested_cost(nested, &json!({})), Ok(82));
        assert_eq!(
            requested_cost("mutation M($i: X!) { productUpdate(product: $i) { product { id } userErrors { field message } } }", &json!({})),
            Ok(10)
        );
    }

    #[test]
    fn sizes_come_from_variables_and_page_info_is_free() {
        let q = "query Orders($first: Int!, $after: String) { orders(first: $first, after: $after, query: \"a, b\") {
            pageInfo { hasNextPage endCursor } nodes { id totalPriceSet { shopMoney { amount } } } } }";
        assert_eq!(requested_cost(q, &json!({"first": 10})), Ok(2 + 10 * 3));
        assert!(requested_cost(q, &json!({})).is_err());
    }

    /// The query the import used to send: 250 orders of 100 lines with their
    /// variants and 100 refund lines each, far over what Shopify runs.
    #[test]
    fn the_old_orders_query_is_over_the_limit() {
        let q = "query { orders(first: 250) { nodes { id customer { firstName }
            lineItems(first: 100) { nodes { id variant { id } } }
            refunds(first: 10) { id refundLineItems(first: 100) { nodes { quantity lineItem { id } } } } } } }";
        assert!(requested_cost(q, &json!({})).is_ok_and(|c| c > 100_000));
    }
}
