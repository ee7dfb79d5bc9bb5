//! dagitty's graph syntax: `dag { X -> Y; Z -> {X Y}; X <-> Y; U [latent] }`.

use super::lexer::{Cursor, Tok, quote, tokenize};
use super::mark::{Edge, Mark};
use super::mixed::{GraphKind, MixedGraph};
use crate::error::{CoreError, Result};

const GRAPH_TYPES: &[&str] = &["dag", "pdag", "mag", "pag", "graph"];

fn op_marks(op: &str) -> Option<(Mark, Mark)> {
    Some(match op {
        "->" => (Mark::Tail, Mark::Arrow),
        "<-" => (Mark::Arrow, Mark::Tail),
        "<->" => (Mark::Arrow, Mark::Arrow),
        "--" => (Mark::Tail, Mark::Tail),
        "@->" => (Mark::Circle, Mark::Arrow),
        "<-@" => (Mark::Arrow, Mark::Circle),
        "@-@" => (Mark::Circle, Mark::Circle),
        "--@" => (Mark::Tail, Mark::Circle),
        "@--" => (Mark::Circle, Mark::Tail),
        _ => return None,
    })
}

fn marks_op(a: Mark, b: Mark) -> &'static str {
    match (a, b) {
        (Mark::Tail, Mark::Arrow) => "->",
        (Mark::Arrow, Mark::Tail) => "<-",
        (Mark::Arrow, Mark::Arrow) => "<->",
        (Mark::Tail, Mark::Tail) => "--",
        (Mark::Circle, Mark::Arrow) => "@->",
        (Mark::Arrow, Mark::Circle) => "<-@",
        (Mark::Circle, Mark::Circle) => "@-@",
        (Mark::Tail, Mark::Circle) => "--@",
        (Mark::Circle, Mark::Tail) => "@--",
    }
}

struct Reader {
    cur: Cursor,
    g: MixedGraph,
}

impl Reader {
    fn node(&mut self, name: &str) -> Result<usize> {
        match self.g.index(name) {
            Ok(i) => Ok(i),
            Err(_) => self
                .g
                .add_node(name)
                .map_err(|e| self.cur.error(e.to_string())),
        }
    }

    /// One side of an edge: a node (with optional attributes) or a `{A B}` group, flattened.
    /// Groups nest to any depth, so nesting is tracked by a counter, not by recursion: a file
    /// of 100 000 `{` must not overflow the stack.
    fn term(&mut self) -> Result<Vec<usize>> {
        let mut out = Vec::new();
        let mut depth = 0usize;
        loop {
            if self.cur.eat('{') {
                depth += 1;
                continue;
            }
            if depth > 0 {
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
            }
            let line = self.cur.line();
            let name = self.cur.node_name("a node name or '}'")?;
            let v = self.node(&name)?;
            if self.cur.eat('[') {
                let attrs = self.cur.attributes()?;
                for (key, _) in attrs {
                    // Positions and other layout attributes carry no causal meaning.
                    if key != "pos" && !self.g.roles_mut(v).set_by_name(&key) {
                        return Err(CoreError::Parse {
                            line,
                            message: format!("unknown attribute '{key}' on node '{name}'"),
                        });
                    }
                }
            }
            out.push(v);
            if depth == 0 {
                return Ok(out);
            }
        }
    }

    fn statement(&mut self) -> Result<()> {
        let mut left = self.term()?;
        while let Some(Tok::Op(op)) = self.cur.peek().cloned() {
            let line = self.cur.line();
            self.cur.next();
            let (ma, mb) = op_marks(op).ok_or_else(|| CoreError::Parse {
                line,
                message: format!("unknown edge '{op}'"),
            })?;
            let right = self.term()?;
            for &a in &left {
                for &b in &right {
                    let edge = Edge {
                        a,
                        b,
                        mark_a: ma,
                        mark_b: mb,
                    };
                    // The same edge written twice is harmless in dagitty; keep one.
                    if self.g.contains_edge(edge) {
                        continue;
                    }
                    self.g.add_edge(edge).map_err(|e| CoreError::Parse {
                        line,
                        message: e.to_string(),
                    })?;
                }
            }
            left = right;
        }
        Ok(())
    }
}

impl MixedGraph {
    /// Parses dagitty syntax: `dag { X [exposure] Y [outcome] U [latent] X -> Y; Z -> {X Y};
    /// X <-> Y }`. Graph types `dag`, `pdag`, `mag`, `pag` are accepted; edges `->`, `<-`,
    /// `<->`, `--`, and circle marks written `@` (`@->`, `@-@`, `--@`). Node attributes
    /// `exposure`, `outcome`, `latent`, `selected` (or `selection`), `adjusted` set
    /// [`NodeRoles`](super::NodeRoles); `pos` is ignored.
    ///
    /// # Examples
    ///
    /// ```
    /// use causal_core::graph::MixedGraph;
    ///
    /// let g = MixedGraph::from_dagitty("dag { X [exposure]\n Y [outcome]\n Z -> {X Y}; X -> Y }")?;
    /// assert_eq!(g.n_edges(), 3);
    /// assert!(g.roles(g.index("X")?).exposure);
    /// assert_eq!(MixedGraph::from_dagitty(&g.to_dagitty())?, g);
    /// # Ok::<(), causal_core::CoreError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`CoreError::Parse`] naming the line of any malformed statement, unknown attribute,
    /// self-loop or conflicting duplicate edge.
    pub fn from_dagitty(text: &str) -> Result<Self> {
        let mut cur = Cursor::new(tokenize(text)?);
        match cur.next() {
            Some(Tok::Ident(t)) if GRAPH_TYPES.contains(&t.to_ascii_lowercase().as_str()) => {}
            Some(t) => {
                return Err(CoreError::Parse {
                    line: 1,
                    message: format!(
                        "a dagitty graph starts with dag, pdag, mag or pag, found {}",
                        t.describe()
                    ),
                });
            }
            None => {
                return Err(CoreError::Parse {
                    line: 1,
                    message: "empty dagitty text".into(),
                });
            }
        }
        cur.open_graph_body()?;
        let mut r = Reader {
            cur,
            g: MixedGraph::new(),
        };
        loop {
            if r.cur.graph_body_next()? {
                break;
            }
            // `bb="..."` graph attributes.
            if matches!(r.cur.peek(), Some(Tok::Ident(_)))
                && r.cur.peek2() == Some(&Tok::Punct('='))
            {
                r.cur.next();
                r.cur.next();
                r.cur.next();
                continue;
            }
            r.statement()?;
        }
        r.cur.expect_graph_end()?;
        Ok(r.g)
    }

    /// The graph in dagitty syntax: every node on its own line (with its roles), then every
    /// edge, in index order; reading it back gives an equal graph.
    pub fn to_dagitty(&self) -> String {
        let kind = match self.kind() {
            GraphKind::Dag | GraphKind::Admg => "dag",
            GraphKind::Cpdag => "pdag",
            GraphKind::Pag => "pag",
        };
        let mut out = format!("{kind} {{\n");
        for (i, name) in self.nodes().iter().enumerate() {
            let roles = self.roles(i).names();
            out.push_str(&quote(name, GRAPH_TYPES));
            if !roles.is_empty() {
                out.push_str(&format!(" [{}]", roles.join(",")));
            }
            out.push('\n');
        }
        for e in self.edges() {
            out.push_str(&format!(
                "{} {} {}\n",
                quote(self.name(e.a), GRAPH_TYPES),
                marks_op(e.mark_a, e.mark_b),
                quote(self.name(e.b), GRAPH_TYPES)
            ));
        }
        out.push_str("}\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_example_parses() {
        let g =
            MixedGraph::from_dagitty("dag { X -> Y; Z -> {X Y}; X <-> Y; U [latent] }").unwrap();
        assert_eq!(g.nodes(), &["X", "Y", "Z", "U"]);
        assert_eq!(g.n_edges(), 4);
        assert_eq!(g.kind(), GraphKind::Admg);
        assert!(g.roles(3).latent);
        let again = MixedGraph::from_dagitty(&g.to_dagitty()).unwrap();
        assert_eq!(again, g);
    }

    #[test]
    fn chains_groups_marks_and_names() {
        let text = "pag g {\n a @-> b <- \"c d\" -- e\n {a b} @-@ f [selection]\n e --@ a\n}";
        let g = MixedGraph::from_dagitty(text).unwrap();
        assert_eq!(g.kind(), GraphKind::Pag);
        assert!(g.roles(g.index("f").unwrap()).selection);
        assert_eq!(g.n_edges(), 6);
        let again = MixedGraph::from_dagitty(&g.to_dagitty()).unwrap();
        assert_eq!(again, g);
    }

    #[test]
    fn errors_name_the_line() {
        let e = MixedGraph::from_dagitty("dag {\n X -> Y\n Y -> \n}").unwrap_err();
        assert!(matches!(e, CoreError::Parse { line: 4, .. }), "{e}");
        let e = MixedGraph::from_dagitty("dag {\n X -> X\n}").unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 2: invalid parameter: self-loop on node 'X'"
        );
        let e = MixedGraph::from_dagitty("dag {\n X [treatment]\n}").unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 2: unknown attribute 'treatment' on node 'X'"
        );
        let e = MixedGraph::from_dagitty("digraph { X -> Y }").unwrap_err();
        assert!(e.to_string().contains("starts with dag"), "{e}");
        let e = MixedGraph::from_dagitty("dag { X -> Y ").unwrap_err();
        assert!(e.to_string().contains("missing '}'"), "{e}");
    }

    #[test]
    fn deep_nesting_is_read_without_recursion() {
        // 100 000 groups deep: once a stack overflow (an abort no Result could catch).
        let n = 100_000;
        let text = format!("dag {{ {}a{} -> b }}", "{".repeat(n), "}".repeat(n));
        let g = MixedGraph::from_dagitty(&text).unwrap();
        assert_eq!((g.n_nodes(), g.n_edges()), (2, 1));
        let e = MixedGraph::from_dagitty(&format!("dag {{\n{}", "{".repeat(n))).unwrap_err();
        assert!(matches!(e, CoreError::Parse { line: 2, .. }), "{e}");
    }

    #[test]
    fn group_products_keep_one_copy_of_each_edge() {
        let g =
            MixedGraph::from_dagitty("dag { {a b {a c}} -> {d e}; a -> d; {a} -> {{d}} }").unwrap();
        // a, b, c each to d and e, written once although a -> d appears four times.
        assert_eq!(g.n_edges(), 6);
        let e = MixedGraph::from_dagitty("dag { {a b} -> {a} }").unwrap_err();
        assert!(e.to_string().contains("self-loop on node 'a'"), "{e}");
        let wide: Vec<String> = (0..2000).map(|i| format!("v{i}")).collect();
        let narrow: Vec<String> = (0..10).map(|i| format!("w{i}")).collect();
        let text = format!(
            "dag {{ {{{}}} -> {{{}}} }}",
            wide.join(" "),
            narrow.join(" ")
        );
        assert_eq!(MixedGraph::from_dagitty(&text).unwrap().n_edges(), 20_000);
    }
}
