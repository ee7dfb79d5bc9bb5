//! [`Graph`]: causal-core's mixed graph (DAG, ADMG, CPDAG, PAG) for Python, with its formats,
//! separation, adjustment and identification.

use causal_core::graph::{Admg, Edge, GraphClass, GraphFormat, Mark, MixedGraph, NodeSet};
use causal_core::identify::{Identification, Identifier, Transport, Transporter};
use numpy::PyArray2;
use pyo3::prelude::*;
use pyo3::types::PyList;
use serde_json::json;

use crate::error;

/// A causal graph with endpoint marks: a DAG, an ADMG, a CPDAG or a PAG.
///
/// Edges are `(a, b, mark_at_a, mark_at_b)` with marks `"tail"`, `"arrow"` or `"circle"`:
/// `a -> b` is `("a", "b", "tail", "arrow")`, `a <-> b` has arrows at both ends, `a - b` tails.
///
/// Example:
///     >>> import causal_rs
///     >>> g = causal_rs.Graph.from_dot("digraph { x -> m; m -> y; x -> y }")
///     >>> g.nodes
///     ['x', 'm', 'y']
///     >>> g.d_separated(["x"], ["y"], ["m"])
///     False
#[pyclass(module = "causal_rs", frozen)]
#[derive(Clone)]
pub struct Graph {
    pub(crate) inner: MixedGraph,
}

fn mark_name(m: Mark) -> &'static str {
    match m {
        Mark::Tail => "tail",
        Mark::Arrow => "arrow",
        Mark::Circle => "circle",
    }
}

fn mark_of(name: &str) -> PyResult<Mark> {
    match name {
        "tail" => Ok(Mark::Tail),
        "arrow" => Ok(Mark::Arrow),
        "circle" => Ok(Mark::Circle),
        other => Err(error::value_error(format!(
            "unknown edge mark '{other}' (expected tail, arrow or circle)"
        ))),
    }
}

/// A JSON value as the Python object `json.loads` makes of it.
pub fn to_py<'py>(py: Python<'py>, v: &serde_json::Value) -> PyResult<Bound<'py, PyAny>> {
    py.import("json")?.call_method1("loads", (v.to_string(),))
}

fn parse(text: &str, format: GraphFormat) -> PyResult<Graph> {
    Ok(Graph {
        inner: MixedGraph::parse(text, format).map_err(error::core)?,
    })
}

impl Graph {
    fn admg(&self, what: &str) -> PyResult<Admg> {
        Admg::from_mixed(&self.inner)
            .map_err(|e| error::value_error(format!("{what} needs a DAG or ADMG: {e}")))
    }

    fn set(&self, names: &[String], what: &str) -> PyResult<NodeSet> {
        let idx = self
            .inner
            .indices(names)
            .map_err(|e| error::value_error(format!("{what}: {e}")))?;
        Ok(NodeSet::from_indices(self.inner.n_nodes(), idx))
    }

    fn names(&self, s: &NodeSet) -> Vec<String> {
        s.iter().map(|v| self.inner.name(v).to_owned()).collect()
    }
}

#[pymethods]
impl Graph {
    /// A graph on `nodes` with `edges`, each `(a, b)` for `a -> b` or
    /// `(a, b, mark_at_a, mark_at_b)`.
    #[new]
    #[pyo3(signature = (nodes, edges=Vec::new()))]
    fn new(nodes: Vec<String>, edges: Vec<Bound<'_, PyAny>>) -> PyResult<Self> {
        let mut g = MixedGraph::with_nodes(nodes).map_err(error::core)?;
        for e in edges {
            let (a, b, ma, mb): (String, String, String, String) =
                if let Ok((a, b)) = e.extract::<(String, String)>() {
                    (a, b, "tail".into(), "arrow".into())
                } else {
                    e.extract().map_err(|_| {
                        error::value_error(
                            "an edge is (a, b) or (a, b, mark_at_a, mark_at_b) with string items",
                        )
                    })?
                };
            let ia = g.index(&a).map_err(error::core)?;
            let ib = g.index(&b).map_err(error::core)?;
            g.add_edge(Edge {
                a: ia,
                b: ib,
                mark_a: mark_of(&ma)?,
                mark_b: mark_of(&mb)?,
            })
            .map_err(error::core)?;
        }
        Ok(Self { inner: g })
    }

    /// Reads graph JSON (`{"nodes": [...], "edges": [{"from", "to", "from_mark", "to_mark"}]}`).
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        parse(text, GraphFormat::Json)
    }

    /// Reads Graphviz DOT (`digraph { a -> b; c -> b [dir=both] }`).
    #[staticmethod]
    fn from_dot(text: &str) -> PyResult<Self> {
        parse(text, GraphFormat::Dot)
    }

    /// Reads dagitty (`dag { x -> y; x [exposure] }`).
    #[staticmethod]
    fn from_dagitty(text: &str) -> PyResult<Self> {
        parse(text, GraphFormat::Dagitty)
    }

    /// A graph from causal-learn's endpoint matrix (`G.graph`): `m[i][j]` is the mark at `i`
    /// on the edge between `i` and `j` (-1 tail, 1 arrow, 2 circle, 0 no edge).
    #[staticmethod]
    fn from_causallearn(names: Vec<String>, matrix: Vec<Vec<i64>>) -> PyResult<Self> {
        let m: Vec<Vec<i8>> = matrix
            .iter()
            .map(|r| {
                r.iter()
                    .map(|&c| i8::try_from(c).unwrap_or(i8::MAX))
                    .collect()
            })
            .collect();
        Ok(Self {
            inner: causal_discover::causal_learn::from_matrix(&names, &m)
                .map_err(error::discover)?,
        })
    }

    /// Node names, in order.
    #[getter]
    fn nodes(&self) -> Vec<String> {
        self.inner.nodes().to_vec()
    }

    /// Edges as `(a, b, mark_at_a, mark_at_b)`.
    #[getter]
    fn edges(&self) -> Vec<(String, String, &'static str, &'static str)> {
        self.inner
            .edges()
            .iter()
            .map(|e| {
                (
                    self.inner.name(e.a).to_owned(),
                    self.inner.name(e.b).to_owned(),
                    mark_name(e.mark_a),
                    mark_name(e.mark_b),
                )
            })
            .collect()
    }

    /// `dag`, `admg`, `cpdag` or `pag`, from the marks present.
    #[getter]
    fn kind(&self) -> PyResult<String> {
        let v = serde_json::to_value(self.inner.kind())
            .map_err(|e| error::value_error(e.to_string()))?;
        Ok(v.as_str().unwrap_or_default().to_owned())
    }

    /// Graph JSON in the project's schema.
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// Graphviz DOT.
    fn to_dot(&self) -> String {
        self.inner.to_dot()
    }

    /// dagitty text.
    fn to_dagitty(&self) -> String {
        self.inner.to_dagitty()
    }

    /// causal-learn's endpoint matrix (`int64`, nodes in order): `m[i, j]` is the mark at `i`
    /// (-1 tail, 1 arrow, 2 circle, 0 no edge), as in causal-learn's `G.graph`.
    fn to_causallearn<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<i64>>> {
        let m: Vec<Vec<i64>> = causal_discover::causal_learn::to_matrix(&self.inner)
            .into_iter()
            .map(|r| r.into_iter().map(i64::from).collect())
            .collect();
        if m.is_empty() {
            return Ok(PyArray2::zeros(py, [0, 0], false));
        }
        PyArray2::from_vec2(py, &m).map_err(|e| error::value_error(e.to_string()))
    }

    /// A networkx `DiGraph` with the same nodes: a directed edge `a -> b` is the edge
    /// `(a, b)`; any other edge is `(a, b)` with attributes `mark_a` and `mark_b` (every
    /// edge carries both, so `Graph.from_networkx` reads it back exactly).
    fn to_networkx<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let nx = py.import("networkx")?;
        let g = nx.getattr("DiGraph")?.call0()?;
        g.call_method1("add_nodes_from", (self.inner.nodes().to_vec(),))?;
        for e in self.inner.edges() {
            // Orient a directed edge from tail to arrow whichever end `a` is.
            let (a, b, ma, mb) = if (e.mark_a, e.mark_b) == (Mark::Arrow, Mark::Tail) {
                (e.b, e.a, e.mark_b, e.mark_a)
            } else {
                (e.a, e.b, e.mark_a, e.mark_b)
            };
            let attrs = pyo3::types::PyDict::new(py);
            attrs.set_item("mark_a", mark_name(ma))?;
            attrs.set_item("mark_b", mark_name(mb))?;
            g.call_method(
                "add_edge",
                (self.inner.name(a), self.inner.name(b)),
                Some(&attrs),
            )?;
        }
        Ok(g)
    }

    /// A graph from a networkx `DiGraph` (or `Graph`): edges are directed unless they carry
    /// `mark_a` / `mark_b` attributes (as `to_networkx` writes them).
    #[staticmethod]
    fn from_networkx(g: &Bound<'_, PyAny>) -> PyResult<Self> {
        let nodes: Vec<String> = g
            .getattr("nodes")?
            .try_iter()?
            .map(|n| n.and_then(|n| n.str().map(|s| s.to_string())))
            .collect::<PyResult<_>>()?;
        let edges = PyList::empty(g.py());
        let kwargs = pyo3::types::PyDict::new(g.py());
        kwargs.set_item("data", true)?;
        for e in g.call_method("edges", (), Some(&kwargs))?.try_iter()? {
            let (a, b, attrs): (Bound<'_, PyAny>, Bound<'_, PyAny>, Bound<'_, PyAny>) =
                e?.extract()?;
            let ma: String = match attrs.get_item("mark_a") {
                Ok(v) => v.extract()?,
                Err(_) => "tail".into(),
            };
            let mb: String = match attrs.get_item("mark_b") {
                Ok(v) => v.extract()?,
                Err(_) => "arrow".into(),
            };
            edges.append((a.str()?.to_string(), b.str()?.to_string(), ma, mb))?;
        }
        Self::new(nodes, edges.iter().collect())
    }

    /// Whether `x` and `y` are d-separated (m-separated in an ADMG) given `given`.
    #[pyo3(signature = (x, y, given=Vec::new()))]
    fn d_separated(&self, x: Vec<String>, y: Vec<String>, given: Vec<String>) -> PyResult<bool> {
        self.admg("d-separation")?
            .m_separated_names(&x, &y, &given)
            .map_err(error::core)
    }

    /// Every independence the graph implies among observed nodes (its local Markov basis), as
    /// `(x, y, given)` tuples.
    fn implied_independencies(&self) -> PyResult<Vec<(String, String, Vec<String>)>> {
        Ok(self
            .admg("implied independencies")?
            .implied_independencies()
            .into_iter()
            .map(|i| (i.x, i.y, i.given))
            .collect())
    }

    /// Adjustment sets for the effect of `treatment` on `outcome`, as a dict.
    ///
    /// On a DAG or ADMG: `minimal` (every minimal set), `optimal`, `frontdoor`; on a CPDAG, PAG
    /// or PDAG (`graph_class` names it when the marks do not): `amenable`, `adjustment_set`,
    /// `optimal`, `forbidden` (the generalised adjustment criterion). Errors name the node.
    #[pyo3(signature = (treatment, outcome, graph_class=None))]
    fn adjustment_sets<'py>(
        &self,
        py: Python<'py>,
        treatment: Vec<String>,
        outcome: Vec<String>,
        graph_class: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let class = match graph_class {
            Some(c) => c.parse::<GraphClass>().map_err(error::core)?,
            None => self.inner.graph_class(),
        };
        let value = if matches!(class, GraphClass::Dag | GraphClass::Admg) {
            let g = self.admg("adjustment")?;
            let x = g.set(&treatment).map_err(error::core)?;
            let y = g.set(&outcome).map_err(error::core)?;
            g.check_effect(&x, &y).map_err(error::core)?;
            let names = |s: &NodeSet| -> Vec<String> {
                g.names_of(s).into_iter().map(str::to_owned).collect()
            };
            let minimal: Vec<Vec<String>> = g
                .minimal_adjustment_sets(&x, &y)
                .iter()
                .map(names)
                .collect();
            let frontdoor: Vec<Vec<String>> = g.frontdoor_sets(&x, &y).iter().map(names).collect();
            json!({
                "class": class,
                "amenable": true,
                "minimal": minimal,
                "optimal": g.optimal_adjustment_set(&x, &y).map(|s| names(&s)),
                "frontdoor": frontdoor,
            })
        } else {
            let x = self.set(&treatment, "treatment")?;
            let y = self.set(&outcome, "outcome")?;
            let adj = self.inner.adjustment(class, &x, &y).map_err(error::core)?;
            json!({
                "class": class,
                "amenable": adj.is_amenable(),
                "message": adj.check_amenable().err().map(|e| e.to_string()),
                "adjustment_set": adj.adjustment_set().map(|s| self.names(&s)),
                "optimal": adj.optimal_set().map(|s| self.names(&s)),
                "forbidden": self.names(adj.forbidden()),
            })
        };
        to_py(py, &value)
    }

    /// Identifies `P(outcome | do(treatment) [, given])` (ID, or IDC with `given`) and returns
    /// a dict: `identifiable`, `estimand` (text), `latex`, `query`, and `hedge` when it is not
    /// identifiable.
    #[pyo3(signature = (treatment, outcome, given=Vec::new()))]
    fn identify<'py>(
        &self,
        py: Python<'py>,
        treatment: Vec<String>,
        outcome: Vec<String>,
        given: Vec<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let g = self.admg("identification")?;
        let id = py
            .detach(|| Identifier::new(&g).identify_given(&treatment, &outcome, &given))
            .map_err(error::core)?;
        let query = if given.is_empty() {
            format!("P({} | do({}))", outcome.join(", "), treatment.join(", "))
        } else {
            format!(
                "P({} | do({}), {})",
                outcome.join(", "),
                treatment.join(", "),
                given.join(", ")
            )
        };
        let value = match &id {
            Identification::Identified(e) => json!({
                "query": query,
                "identifiable": true,
                "estimand": e.to_string(),
                "latex": e.to_latex(),
                "hedge": null,
            }),
            Identification::NotIdentifiable(h) => json!({
                "query": query,
                "identifiable": false,
                "estimand": null,
                "latex": null,
                "hedge": h,
            }),
        };
        to_py(py, &value)
    }

    /// Transports `P*(outcome | do(treatment))` to a target population from a source with
    /// experiments, on this selection diagram (selection nodes are the `S`-named parents marking
    /// where the populations differ), as `causal transport` does. Returns a dict:
    /// `transportable`, `estimand` (text), `latex`, `query`, `selection`, `differing`, and
    /// `reason` and `hedge` when it is not transportable.
    ///
    /// Example:
    ///     >>> import causal_rs
    ///     >>> g = causal_rs.Graph(["X", "Z", "Y", "S"], [("X", "Z"), ("Z", "Y"), ("S", "Y")])
    ///     >>> g.transport(["X"], ["Y"])["estimand"]
    ///     'sum_{Z} P*(Z | X) P*(Y | Z)'
    fn transport<'py>(
        &self,
        py: Python<'py>,
        treatment: Vec<String>,
        outcome: Vec<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let g = self.admg("transport")?;
        let (t, result) = py
            .detach(|| {
                let t = Transporter::new(&g)?;
                let r = t.transport(&treatment, &outcome)?;
                Ok::<_, causal_core::CoreError>((t, r))
            })
            .map_err(error::core)?;
        let mut value = match &result {
            Transport::Transportable(e) => json!({
                "transportable": true,
                "estimand": e.to_string(),
                "latex": e.to_latex(),
                "reason": null,
                "hedge": null,
            }),
            Transport::NotTransportable { hedge, reason, .. } => json!({
                "transportable": false,
                "estimand": null,
                "latex": null,
                "reason": reason,
                "hedge": hedge,
            }),
        };
        value["query"] = json!(format!(
            "P*({} | do({}))",
            outcome.join(", "),
            treatment.join(", ")
        ));
        value["selection"] = json!(t.selection_nodes());
        value["differing"] = json!(t.differing());
        to_py(py, &value)
    }

    /// The same nodes in the same order and the same marks between every pair, whatever the
    /// order in which the edges were added or which end each names first.
    fn __eq__(&self, other: &Self) -> bool {
        self.inner.nodes() == other.inner.nodes()
            && causal_discover::causal_learn::to_matrix(&self.inner)
                == causal_discover::causal_learn::to_matrix(&other.inner)
    }

    fn __repr__(&self) -> String {
        format!(
            "Graph({} nodes, {} edges)",
            self.inner.n_nodes(),
            self.inner.n_edges()
        )
    }

    fn __str__(&self) -> String {
        self.inner.to_dot()
    }
}
