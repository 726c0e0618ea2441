//! The fake's own reckoning of a query's requested cost, by Shopify's
//! documented rules (written apart from the client's on purpose, so a
//! mistake in one does not hide in the other): scalars 0, objects 1 plus
//! their selection, a field sized by `first`/`last` (or a `nodes(ids:)`
//! list by its ids) 2 plus size × one node, `pageInfo` free, the
//! `edges`/`node`/`nodes` wrappers nothing of their own, mutations 10 a field.
use serde_json::Value;

/// One token of the query text.
#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Open,
    Close,
    Name(String),
    /// A parenthesised argument list, as text.
    Args(String),
}

fn tokens(q: &str) -> Vec<Tok> {
    let b: Vec<char> = q.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == '{' {
            out.push(Tok::Open);
            i += 1;
        } else if c == '}' {
            out.push(Tok::Close);
            i += 1;
        } else if c == '(' {
            let mut depth = 0;
            let start = i;
            let mut quoted = false;
            while i < b.len() {
                match b[i] {
                    '"' => quoted = !quoted,
                    '(' if !quoted => depth += 1,
                    ')' if !quoted => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            out.push(Tok::Args(b[start + 1..i.min(b.len())].iter().collect()));
            i += 1;
        } else if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < b.len() && (b[i].is_alphanumeric() || b[i] == '_') {
                i += 1;
            }
            out.push(Tok::Name(b[start..i].iter().collect()));
        } else {
            // Punctuation the cost ignores: `:` of aliases and `...` of fragments.
            i += 1;
        }
    }
    out
}

/// The size an argument list gives a field, if any.
fn size(args: &str, vars: &Value) -> Option<u64> {
    for part in args.split(',') {
        let Some((k, v)) = part.split_once(':') else { continue };
        let (k, v) = (k.trim(), v.trim());
        let from_var = |name: &str| vars.get(name.trim_start_matches('$'));
        match k {
            "first" | "last" => {
                return if v.starts_with('$') { from_var(v).and_then(Value::as_u64) } else { v.parse().ok() };
            }
            "ids" if v.starts_with('$') => return from_var(v).and_then(Value::as_array).map(|a| a.len() as u64),
            _ => {}
        }
    }
    None
}

/// A field of the selection tree.
struct Node {
    name: String,
    size: Option<u64>,
    kids: Vec<Node>,
}

fn tree(toks: &[Tok], at: &mut usize, vars: &Value) -> Vec<Node> {
    let mut out: Vec<Node> = Vec::new();
    while *at < toks.len() {
        match &toks[*at] {
            Tok::Close => {
                *at += 1;
                return out;
            }
            Tok::Open => {
                *at += 1;
                let kids = tree(toks, at, vars);
                match out.last_mut() {
                    // `on Type { … }`: the fields belong to the enclosing object.
                    Some(last) if last.name == "on" => {
                        out.pop();
                        out.extend(kids);
                    }
                    Some(last) => last.kids = kids,
                    None => out.extend(kids),
                }
            }
            Tok::Args(a) => {
                if let Some(last) = out.last_mut() {
                    last.size = size(a, vars).or(last.size);
                }
                *at += 1;
            }
            Tok::Name(n) => {
                // A fragment's type name follows `on`: part of the `on` marker.
                if out.last().is_some_and(|l| l.name == "on" && l.kids.is_empty() && l.size.is_none()) && n != "on" {
                    *at += 1;
                    continue;
                }
                out.push(Node { name: n.clone(), size: None, kids: Vec::new() });
                *at += 1;
            }
        }
    }
    out
}

fn cost_of(n: &Node) -> u64 {
    if n.kids.is_empty() || n.name == "pageInfo" {
        return 0;
    }
    let inner: u64 = n.kids.iter().map(cost_of).sum();
    match n.size {
        None => 1 + inner,
        Some(k) => {
            let wrapped = n.kids.iter().any(|c| c.name == "nodes" || c.name == "edges");
            let per_node = if wrapped {
                let mut per = 0;
                for c in &n.kids {
                    if c.name == "nodes" {
                        per = per.max(1 + c.kids.iter().map(cost_of).sum::<u64>());
                    }
                    if c.name == "edges" {
                        for e in c.kids.iter().filter(|e| e.name == "node") {
                            per = per.max(1 + e.kids.iter().map(cost_of).sum::<u64>());
                        }
                    }
                }
                per
            } else {
                1 + inner
            };
            let on_connection: u64 =
                if wrapped { n.kids.iter().filter(|c| !matches!(c.name.as_str(), "nodes" | "edges")).map(cost_of).sum() } else { 0 };
            2 + k * per_node + on_connection
        }
    }
}

/// The requested cost of a query with its variables.
pub fn requested(query: &str, vars: &Value) -> u64 {
    let toks = tokens(query);
    let first_open = toks.iter().position(|t| *t == Tok::Open).unwrap_or(toks.len());
    let mutation = toks[..first_open].iter().any(|t| *t == Tok::Name("mutation".into()));
    let mut at = first_open + 1;
    let root = tree(&toks, &mut at, vars);
    if mutation {
        return 10 * root.len() as u64;
    }
    root.iter().map(cost_of).sum()
}

/// The connections a bulk operation's query holds: how many, and how many
/// deep the deepest sits (Shopify allows five, nested two deep, and at least one).
pub fn connections(query: &str) -> (usize, usize) {
    fn walk(nodes: &[Node], depth: usize, count: &mut usize, deepest: &mut usize) {
        for n in nodes {
            let connection = n.kids.iter().any(|c| c.name == "nodes" || c.name == "edges");
            let here = if connection { depth + 1 } else { depth };
            if connection {
                *count += 1;
                *deepest = (*deepest).max(here);
            }
            walk(&n.kids, here, count, deepest);
        }
    }
    let toks = tokens(query);
    let first_open = toks.iter().position(|t| *t == Tok::Open).unwrap_or(toks.len());
    let mut at = first_open + 1;
    let root = tree(&toks, &mut at, &Value::Null);
    let (mut count, mut deepest) = (0, 0);
    walk(&root, 0, &mut count, &mut deepest);
    (count, deepest)
}

#[cfg(test)]
mod tests {
    use super::{connections, requested};
    use serde_json::json;

    #[test]
    fn shopify_s_examples() {
        assert_eq!(requested("{ shop { id name } }", &json!({})), 1);
        assert_eq!(requested("query { products(first: 5) { edges { node { id title } } } }", &json!({})), 7);
        let q = "{ products(first: 10) { edges { node { title variants(first: 5) { edges { node { price } } } } } } }";
        assert_eq!(requested(q, &json!({})), 82);
        let q = "query L($ids: [ID!]!) { nodes(ids: $ids) { ... on InventoryItem { id inventoryLevel(locationId: \"x\") { id } } } }";
        assert_eq!(requested(q, &json!({"ids": ["a", "b"]})), 2 + 2 * 2);
    }

    #[test]
    fn bulk_queries_are_measured_by_their_connections() {
        let q = "{ orders(query: \"updated_at:>='2020-01-01'\") { edges { node { id lineItems { edges { node { id } } } refunds { id refundLineItems { edges { node { quantity } } } } } } } }";
        assert_eq!(connections(q), (3, 2));
        assert_eq!(connections("{ shop { name } }"), (0, 0));
        let deep = "{ a { edges { node { b { edges { node { c { edges { node { id } } } } } } } } } }";
        assert_eq!(connections(deep), (3, 3));
    }
}
