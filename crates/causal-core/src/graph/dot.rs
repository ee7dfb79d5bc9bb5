//! Graphviz DOT: `digraph { X -> Y; X -> Z [dir=both] }`.
//!
//! Marks travel in the standard edge attributes: `dir` (`forward`, `back`, `both`, `none`) and
//! the arrow shapes `arrowhead`/`arrowtail` (`normal` is an arrow, `none` a tail, `odot` a
//! circle). So `A -> B [dir=both]` is `A <-> B`, `A -> B [dir=none]` is `A - B`, and
//! `A -> B [dir=both, arrowtail=odot]` is `A o-> B`: CPDAGs and PAGs survive a round trip and
//! still render correctly in Graphviz. Node roles are written as `X [exposure=true]`.

use super::lexer::{Cursor, Tok, quote, tokenize};
use super::mark::{Edge, Mark};
use super::mixed::MixedGraph;
use crate::error::{CoreError, Result};

const KEYWORDS: &[&str] = &["graph", "digraph", "node", "edge", "subgraph", "strict"];

fn shape_mark(shape: &str) -> Mark {
    match shape {
        "none" => Mark::Tail,
        "odot" | "dot" | "circle" | "ocircle" => Mark::Circle,
        _ => Mark::Arrow,
    }
}

fn mark_shape(m: Mark) -> &'static str {
    match m {
        Mark::Tail => "none",
        Mark::Arrow => "normal",
        Mark::Circle => "odot",
    }
}

struct Reader {
    cur: Cursor,
    g: MixedGraph,
    directed: bool,
    /// `(a, b, line, text)` of every edge's `confidence` (else `weight`) attribute, for
    /// [`MixedGraph::parse_with_confidence`]; the plain reader ignores them.
    confidences: Vec<(usize, usize, usize, String)>,
}

impl Reader {
    fn node(&mut self, name: &str, line: usize) -> Result<usize> {
        match self.g.index(name) {
            Ok(i) => Ok(i),
            Err(_) => self.g.add_node(name).map_err(|e| CoreError::Parse {
                line,
                message: e.to_string(),
            }),
        }
    }

    /// One side of an edge: a node or a `{A B}` group (optionally `subgraph NAME {...}`),
    /// flattened. Nesting is tracked by a counter, not by recursion, so deeply nested braces
    /// cannot overflow the stack.
    fn term(&mut self) -> Result<Vec<usize>> {
        let mut out = Vec::new();
        let mut depth = 0usize;
        loop {
            let line = self.cur.line();
            let subgraph = matches!(self.cur.peek(), Some(Tok::Ident(s)) if s == "subgraph");
            if subgraph {
                self.cur.next();
                if matches!(self.cur.peek(), Some(Tok::Ident(_) | Tok::Quoted(_))) {
                    self.cur.next();
                }
            }
            if self.cur.eat('{') {
                depth += 1;
                continue;
            }
            if depth > 0 && !subgraph {
                if self.cur.eat('}') {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(out);
                    }
                    continue;
                }
                if self.cur.eat(',') || self.cur.eat(';') {
                    continue;
                }
                if self.cur.peek().is_none() {
                    return Err(self.cur.error("missing '}' to close a group"));
                }
            }
            let name = self.cur.node_name("a node name")?;
            // Ports (`A:n`) are not supported: ':' is not a token, so they fail in the lexer.
            out.push(self.node(&name, line)?);
            if depth == 0 {
                return Ok(out);
            }
        }
    }

    fn statement(&mut self) -> Result<()> {
        // Default attribute statements carry no graph structure.
        if let Some(Tok::Ident(k)) = self.cur.peek()
            && matches!(k.as_str(), "node" | "edge" | "graph")
            && self.cur.peek2() == Some(&Tok::Punct('['))
        {
            self.cur.next();
            self.cur.next();
            self.cur.attributes()?;
            return Ok(());
        }
        // `rankdir=LR` style assignments.
        if matches!(self.cur.peek(), Some(Tok::Ident(_) | Tok::Quoted(_)))
            && self.cur.peek2() == Some(&Tok::Punct('='))
        {
            self.cur.next();
            self.cur.next();
            if self
                .cur
                .next()
                .and_then(|t| t.name().map(str::to_owned))
                .is_none()
            {
                return Err(self.cur.error("expected a value after '='"));
            }
            return Ok(());
        }
        let first_line = self.cur.line();
        let mut chain = vec![self.term()?];
        while let Some(Tok::Op(op)) = self.cur.peek().cloned() {
            let ok = (self.directed && op == "->") || (!self.directed && op == "--");
            if !ok {
                return Err(self.cur.error(format!(
                    "edge '{op}' in a {}; use '{}'",
                    if self.directed { "digraph" } else { "graph" },
                    if self.directed { "->" } else { "--" }
                )));
            }
            self.cur.next();
            chain.push(self.term()?);
        }
        let attrs = if self.cur.eat('[') {
            self.cur.attributes()?
        } else {
            Vec::new()
        };
        if chain.len() == 1 {
            for v in chain[0].clone() {
                for (key, value) in &attrs {
                    let on = matches!(value.as_deref(), None | Some("true") | Some("1"));
                    if on {
                        // Layout attributes (label, shape, ...) are ignored.
                        self.g.roles_mut(v).set_by_name(key);
                    }
                }
            }
            return Ok(());
        }
        let mut dir = if self.directed { "forward" } else { "none" }.to_owned();
        let (mut head, mut tail) = ("normal".to_owned(), "normal".to_owned());
        let confidence = ["confidence", "weight"].iter().find_map(|k| {
            attrs
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone().unwrap_or_default())
        });
        for (key, value) in attrs {
            let value = value.unwrap_or_default();
            match key.as_str() {
                "dir" => {
                    if !matches!(value.as_str(), "forward" | "back" | "both" | "none") {
                        return Err(CoreError::Parse {
                            line: first_line,
                            message: format!("unknown dir '{value}'"),
                        });
                    }
                    dir = value;
                }
                "arrowhead" => head = value,
                "arrowtail" => tail = value,
                _ => {}
            }
        }
        let mark_b = if dir == "forward" || dir == "both" {
            shape_mark(&head)
        } else {
            Mark::Tail
        };
        let mark_a = if dir == "back" || dir == "both" {
            shape_mark(&tail)
        } else {
            Mark::Tail
        };
        for pair in chain.windows(2) {
            for &a in &pair[0] {
                for &b in &pair[1] {
                    let edge = Edge {
                        a,
                        b,
                        mark_a,
                        mark_b,
                    };
                    if let Some(c) = &confidence {
                        self.confidences.push((a, b, first_line, c.clone()));
                    }
                    if self.g.contains_edge(edge) {
                        continue;
                    }
                    self.g.add_edge(edge).map_err(|e| CoreError::Parse {
                        line: first_line,
                        message: e.to_string(),
                    })?;
                }
            }
        }
        Ok(())
    }
}

impl MixedGraph {
    /// Parses Graphviz DOT (`digraph` or `graph`), reading edge marks from `dir`, `arrowhead`
    /// and `arrowtail`, and node roles from boolean node attributes (`X [latent=true]`).
    ///
    /// # Examples
    ///
    /// ```
    /// use causal_core::graph::{GraphKind, MixedGraph};
    ///
    /// let g = MixedGraph::from_dot("digraph { X -> Y; X -> Y [dir=both] }")?;
    /// assert_eq!(g.kind(), GraphKind::Admg);
    /// assert_eq!(MixedGraph::from_dot(&g.to_dot())?, g);
    /// # Ok::<(), causal_core::CoreError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`CoreError::Parse`] naming the line of a malformed statement, a self-loop, or an edge
    /// operator that does not match the graph type.
    pub fn from_dot(text: &str) -> Result<Self> {
        Ok(Self::read_dot(text)?.0)
    }

    /// [`MixedGraph::from_dot`], also returning each edge's `confidence` (else `weight`)
    /// attribute as `(a, b, line, text)`, unchecked.
    pub(super) fn read_dot(text: &str) -> Result<(Self, Vec<(usize, usize, usize, String)>)> {
        let mut cur = Cursor::new(tokenize(text)?);
        if matches!(cur.peek(), Some(Tok::Ident(s)) if s.eq_ignore_ascii_case("strict")) {
            cur.next();
        }
        let directed = match cur.next() {
            Some(Tok::Ident(s)) if s.eq_ignore_ascii_case("digraph") => true,
            Some(Tok::Ident(s)) if s.eq_ignore_ascii_case("graph") => false,
            other => {
                return Err(CoreError::Parse {
                    line: 1,
                    message: format!(
                        "a DOT graph starts with digraph or graph, found {}",
                        other.map_or("the end of the input".into(), |t| t.describe())
                    ),
                });
            }
        };
        cur.open_graph_body()?;
        let mut r = Reader {
            cur,
            g: MixedGraph::new(),
            directed,
            confidences: Vec::new(),
        };
        loop {
            if r.cur.graph_body_next()? {
                break;
            }
            r.statement()?;
        }
        r.cur.expect_graph_end()?;
        Ok((r.g, r.confidences))
    }

    /// The graph as a DOT `digraph`: nodes (with roles) then edges, in index order. Reading it
    /// back gives an equal graph.
    pub fn to_dot(&self) -> String {
        let mut out = String::from("digraph {\n");
        for (i, name) in self.nodes().iter().enumerate() {
            let roles = self.roles(i).names();
            out.push_str("  ");
            out.push_str(&quote(name, KEYWORDS));
            if !roles.is_empty() {
                let attrs: Vec<String> = roles.iter().map(|r| format!("{r}=true")).collect();
                out.push_str(&format!(" [{}]", attrs.join(", ")));
            }
            out.push_str(";\n");
        }
        for e in self.edges() {
            let attrs = match (e.mark_a, e.mark_b) {
                (Mark::Tail, Mark::Arrow) => String::new(),
                (Mark::Arrow, Mark::Arrow) => " [dir=both]".into(),
                (Mark::Tail, Mark::Tail) => " [dir=none]".into(),
                (a, b) => format!(
                    " [dir=both, arrowtail={}, arrowhead={}]",
                    mark_shape(a),
                    mark_shape(b)
                ),
            };
            out.push_str(&format!(
                "  {} -> {}{attrs};\n",
                quote(self.name(e.a), KEYWORDS),
                quote(self.name(e.b), KEYWORDS)
            ));
        }
        out.push_str("}\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::GraphKind;

    #[test]
    fn marks_and_roles_survive() {
        let text = "strict digraph G {\n rankdir=LR; node [shape=box]\n a -> b -> c;\n \
                    a -> c [dir=both]; b -> d [dir=none]\n d -> e [dir=both, arrowtail=odot]\n \
                    e -> f [dir=back]\n \"x y\" [latent=true, label=\"hidden\"]\n {a b} -> \"x y\"\n}";
        let g = MixedGraph::from_dot(text).unwrap();
        assert_eq!(g.kind(), GraphKind::Pag);
        let (d, e, f) = (
            g.index("d").unwrap(),
            g.index("e").unwrap(),
            g.index("f").unwrap(),
        );
        let de = g.edges_between(d, e).next().unwrap();
        assert_eq!((de.mark_a, de.mark_b), (Mark::Circle, Mark::Arrow));
        assert!(g.edges_between(f, e).next().unwrap().is_directed_from(f, e));
        assert!(g.roles(g.index("x y").unwrap()).latent);
        assert_eq!(g.n_edges(), 8);
        assert_eq!(MixedGraph::from_dot(&g.to_dot()).unwrap(), g);
        let u = MixedGraph::from_dot("graph { a -- b }").unwrap();
        assert_eq!(u.kind(), GraphKind::Cpdag);
    }

    #[test]
    fn errors_name_the_line() {
        let e = MixedGraph::from_dot("digraph {\n a -> b\n a -- c\n}").unwrap_err();
        assert!(matches!(e, CoreError::Parse { line: 3, .. }), "{e}");
        let e = MixedGraph::from_dot("digraph {\n a -> b [dir=sideways]\n}").unwrap_err();
        assert_eq!(e.to_string(), "line 2: unknown dir 'sideways'");
        let e = MixedGraph::from_dot("dag { a -> b }").unwrap_err();
        assert!(e.to_string().contains("digraph or graph"), "{e}");
        assert!(MixedGraph::from_dot("digraph { a -> }").is_err());
    }

    #[test]
    fn deep_nesting_is_read_without_recursion() {
        let n = 100_000;
        let text = format!("digraph {{ {}a{} -> b }}", "{".repeat(n), "}".repeat(n));
        let g = MixedGraph::from_dot(&text).unwrap();
        assert_eq!((g.n_nodes(), g.n_edges()), (2, 1));
        let e = MixedGraph::from_dot(&format!("digraph {{\n{}", "{".repeat(n))).unwrap_err();
        assert_eq!(e.to_string(), "line 2: missing '}' to close a group");
        let g = MixedGraph::from_dot("digraph { subgraph s { a subgraph { b } } -> c; a -> c }")
            .unwrap();
        assert_eq!(g.n_edges(), 2);
        assert!(MixedGraph::from_dot("digraph { { subgraph } -> c }").is_err());
    }
}
