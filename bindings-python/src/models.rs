//! Typed result classes: each holds the core's model struct and converts a field only when it
//! is read, so that listing 100,000 devices creates 100,000 small objects and nothing more.

use chrono::{DateTime, Utc};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyList, PyString};

/// A value that can be handed to Python: as an attribute (`to_py`) or inside `to_dict()`
/// (`to_plain`, where nested objects become dicts).
pub(crate) trait Field {
    fn to_py(&self, py: Python<'_>) -> PyResult<Py<PyAny>>;
    fn to_plain(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        self.to_py(py)
    }
}

/// An owned result handed to Python once a call completes.
pub(crate) trait IntoPyValue: Send + 'static {
    fn into_py_value(self: Box<Self>, py: Python<'_>) -> PyResult<Py<PyAny>>;
}

impl IntoPyValue for () {
    fn into_py_value(self: Box<Self>, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(py.None())
    }
}

impl<T: Field + Send + 'static> IntoPyValue for Vec<T> {
    fn into_py_value(self: Box<Self>, py: Python<'_>) -> PyResult<Py<PyAny>> {
        self.to_py(py)
    }
}

macro_rules! plain_field {
    ($($t:ty),*) => {$(
        impl Field for $t {
            fn to_py(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
                Ok(self.clone().into_pyobject(py)?.to_owned().into_any().unbind())
            }
        }
        impl IntoPyValue for $t {
            fn into_py_value(self: Box<Self>, py: Python<'_>) -> PyResult<Py<PyAny>> {
                self.to_py(py)
            }
        }
    )*};
}
plain_field!(bool, i32, i64, u64, usize, f64, DateTime<Utc>);

impl Field for String {
    fn to_py(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(PyString::new(py, self).into_any().unbind())
    }
}

impl IntoPyValue for String {
    fn into_py_value(self: Box<Self>, py: Python<'_>) -> PyResult<Py<PyAny>> {
        self.to_py(py)
    }
}

impl<T: Field> Field for Option<T> {
    fn to_py(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match self {
            Some(v) => v.to_py(py),
            None => Ok(py.None()),
        }
    }
    fn to_plain(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match self {
            Some(v) => v.to_plain(py),
            None => Ok(py.None()),
        }
    }
}

impl<T: Field> Field for Box<T> {
    fn to_py(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        (**self).to_py(py)
    }
    fn to_plain(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        (**self).to_plain(py)
    }
}

impl<T: Field> Field for Vec<T> {
    fn to_py(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let items = self
            .iter()
            .map(|v| v.to_py(py))
            .collect::<PyResult<Vec<_>>>()?;
        Ok(PyList::new(py, items)?.into_any().unbind())
    }
    fn to_plain(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let items = self
            .iter()
            .map(|v| v.to_plain(py))
            .collect::<PyResult<Vec<_>>>()?;
        Ok(PyList::new(py, items)?.into_any().unbind())
    }
}

impl Field for serde_json::Value {
    fn to_py(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        use serde_json::Value as V;
        Ok(match self {
            V::Null => py.None(),
            V::Bool(b) => b.into_pyobject(py)?.to_owned().into_any().unbind(),
            V::Number(n) => {
                if let Some(i) = n.as_i64() {
                    i.into_pyobject(py)?.into_any().unbind()
                } else if let Some(u) = n.as_u64() {
                    u.into_pyobject(py)?.into_any().unbind()
                } else {
                    n.as_f64()
                        .unwrap_or(f64::NAN)
                        .into_pyobject(py)?
                        .into_any()
                        .unbind()
                }
            }
            V::String(s) => PyString::new(py, s).into_any().unbind(),
            V::Array(a) => a.to_py(py)?,
            V::Object(o) => o.to_py(py)?,
        })
    }
}

impl Field for serde_json::Map<String, serde_json::Value> {
    fn to_py(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let d = PyDict::new(py);
        for (k, v) in self {
            d.set_item(k, v.to_py(py)?)?;
        }
        Ok(d.into_any().unbind())
    }
}

/// A class of the pure-Python face (`intune_apple.<module>.<name>`), looked up once.
pub(crate) fn py_class<'py>(
    py: Python<'py>,
    cell: &'static PyOnceLock<Py<PyAny>>,
    module: &str,
    name: &str,
) -> PyResult<&'py Bound<'py, PyAny>> {
    cell.get_or_try_init(py, || {
        Ok::<_, PyErr>(py.import(module)?.getattr(name)?.unbind())
    })
    .map(|c| c.bind(py))
}

/// An enum member of `intune_apple._enums`-style classes from its wire spelling.
pub(crate) fn enum_member(
    py: Python<'_>,
    cell: &'static PyOnceLock<Py<PyAny>>,
    module: &str,
    name: &str,
    value: &str,
) -> PyResult<Py<PyAny>> {
    Ok(py_class(py, cell, module, name)?.call1((value,))?.unbind())
}

/// An open enum of the model as its Python `enum.Enum` (members unknown to this version
/// become pseudo-members carrying the wire spelling).
macro_rules! py_open_enum {
    ($name:ident) => {
        impl $crate::models::Field for $name {
            fn to_py(&self, py: pyo3::Python<'_>) -> pyo3::PyResult<pyo3::Py<pyo3::PyAny>> {
                static CLASS: pyo3::sync::PyOnceLock<pyo3::Py<pyo3::PyAny>> =
                    pyo3::sync::PyOnceLock::new();
                $crate::models::enum_member(
                    py,
                    &CLASS,
                    "intune_apple._enums",
                    stringify!($name),
                    self.as_str(),
                )
            }
        }
    };
}

/// A frozen Python class holding one model struct, with a getter per field, `to_dict()`,
/// `__repr__` (a few identifying fields, never a secret) and `__eq__`.
macro_rules! py_model {
    ($py:ident, $name:path, $pyname:literal, [$($r:ident),*], [$($f:ident),*]) => {
        #[doc = concat!("`", $pyname, "` for Python.")]
        #[pyo3::pyclass(frozen, module = "intune_apple.models", name = $pyname)]
        pub(crate) struct $py {
            pub(crate) inner: $name,
        }

        impl $crate::models::Field for $name {
            fn to_py(&self, py: pyo3::Python<'_>) -> pyo3::PyResult<pyo3::Py<pyo3::PyAny>> {
                Ok(pyo3::Py::new(py, $py { inner: self.clone() })?.into_any())
            }
            fn to_plain(&self, py: pyo3::Python<'_>) -> pyo3::PyResult<pyo3::Py<pyo3::PyAny>> {
                let d = pyo3::types::PyDict::new(py);
                $( pyo3::types::PyDictMethods::set_item(&d, stringify!($f), $crate::models::Field::to_plain(&self.$f, py)?)?; )*
                Ok(pyo3::IntoPyObject::into_pyobject(d, py)?.into_any().unbind())
            }
        }

        impl $crate::models::IntoPyValue for $name {
            fn into_py_value(self: Box<Self>, py: pyo3::Python<'_>) -> pyo3::PyResult<pyo3::Py<pyo3::PyAny>> {
                Ok(pyo3::Py::new(py, $py { inner: *self })?.into_any())
            }
        }

        #[pyo3::pymethods]
        impl $py {
            $(
                #[getter]
                fn $f(&self, py: pyo3::Python<'_>) -> pyo3::PyResult<pyo3::Py<pyo3::PyAny>> {
                    $crate::models::Field::to_py(&self.inner.$f, py)
                }
            )*

            /// Every attribute, nested objects as dicts.
            fn to_dict(&self, py: pyo3::Python<'_>) -> pyo3::PyResult<pyo3::Py<pyo3::PyAny>> {
                $crate::models::Field::to_plain(&self.inner, py)
            }

            fn __repr__(&self, py: pyo3::Python<'_>) -> pyo3::PyResult<String> {
                let mut parts: Vec<String> = Vec::new();
                $(
                    let v = $crate::models::Field::to_py(&self.inner.$r, py)?;
                    parts.push(format!("{}={}", stringify!($r), pyo3::types::PyAnyMethods::repr(v.bind(py))?));
                )*
                Ok(format!("{}({})", $pyname, parts.join(", ")))
            }

            fn __eq__(&self, other: &pyo3::Bound<'_, pyo3::PyAny>) -> bool {
                other
                    .cast::<$py>()
                    .map(|o| o.get().inner == self.inner)
                    .unwrap_or(false)
            }

            /// Pickles as the class name and its JSON, secrets left out.
            fn __reduce__<'py>(
                &self,
                py: pyo3::Python<'py>,
            ) -> pyo3::PyResult<$crate::models::Reduced<'py>> {
                $crate::models::reduce(py, $pyname, &self.inner)
            }

            /// Immutable: a copy is the object itself.
            fn __copy__(slf: pyo3::Bound<'_, Self>) -> pyo3::Bound<'_, Self> {
                slf
            }

            /// Immutable: a deep copy is the object itself.
            fn __deepcopy__<'py>(
                slf: pyo3::Bound<'py, Self>,
                _memo: &pyo3::Bound<'py, pyo3::PyAny>,
            ) -> pyo3::Bound<'py, Self> {
                slf
            }
        }
    };
}

/// What `__reduce__` of a result returns: `intune_apple._native._restore` and its arguments
/// (the class name, the JSON of the value with every secret left out).
pub(crate) type Reduced<'py> = (Bound<'py, PyAny>, (&'static str, Bound<'py, PyBytes>));

/// The [`Reduced`] form of `value`, a result class named `name`.
pub(crate) fn reduce<'py, T: serde::Serialize>(
    py: Python<'py>,
    name: &'static str,
    value: &T,
) -> PyResult<Reduced<'py>> {
    static RESTORE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let data = intune_apple_core::to_json_without_secrets(value).map_err(|e| {
        pyo3::exceptions::PyTypeError::new_err(format!("cannot pickle this {name}: {e}"))
    })?;
    let restore = py_class(py, &RESTORE, "intune_apple._native", "_restore")?.clone();
    Ok((restore, (name, PyBytes::new(py, &data))))
}

/// Rebuilds a result of type `T` from its pickled JSON.
pub(crate) fn restore_as<T: serde::de::DeserializeOwned + Field>(
    py: Python<'_>,
    name: &str,
    data: &[u8],
) -> PyResult<Py<PyAny>> {
    let value: T = serde_json::from_slice(data).map_err(|e| {
        pyo3::exceptions::PyValueError::new_err(format!(
            "cannot unpickle a {name}: {e} (pickled by another version of intune-apple?)"
        ))
    })?;
    value.to_py(py)
}

/// Unpickles a result (see [`reduce`]).
#[pyfunction]
#[pyo3(name = "_restore")]
pub(crate) fn restore(py: Python<'_>, name: &str, data: &[u8]) -> PyResult<Py<PyAny>> {
    restore_generated(py, name, data)
}

/// A plain Rust enum of a workflow report, as its serialised (camelCase) name.
macro_rules! py_serde_enum {
    ($name:path) => {
        impl $crate::models::Field for $name {
            fn to_py(&self, py: pyo3::Python<'_>) -> pyo3::PyResult<pyo3::Py<pyo3::PyAny>> {
                let text = match serde_json::to_value(self) {
                    Ok(serde_json::Value::String(s)) => s,
                    _ => String::new(),
                };
                $crate::models::Field::to_py(&text, py)
            }
        }
    };
}

/// A polymorphic Graph type (`@odata.type` variants) as the class of its variant.
macro_rules! py_polymorphic {
    ($name:ident, [$($v:ident),*]) => {
        impl $crate::models::Field for $name {
            fn to_py(&self, py: pyo3::Python<'_>) -> pyo3::PyResult<pyo3::Py<pyo3::PyAny>> {
                match self {
                    $( $name::$v(inner) => $crate::models::Field::to_py(inner, py), )*
                    #[allow(unreachable_patterns)]
                    _ => Ok(py.None()),
                }
            }
            fn to_plain(&self, py: pyo3::Python<'_>) -> pyo3::PyResult<pyo3::Py<pyo3::PyAny>> {
                match self {
                    $( $name::$v(inner) => $crate::models::Field::to_plain(inner, py), )*
                    #[allow(unreachable_patterns)]
                    _ => Ok(py.None()),
                }
            }
        }

        impl $crate::models::IntoPyValue for $name {
            fn into_py_value(self: Box<Self>, py: pyo3::Python<'_>) -> pyo3::PyResult<pyo3::Py<pyo3::PyAny>> {
                $crate::models::Field::to_py(&*self, py)
            }
        }
    };
}

impl Field for intune_apple_core::rules::Severity {
    fn to_py(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        crate::rules::severity(py, *self)
    }
}

impl Field for intune_apple_core::rules::TokenKind {
    fn to_py(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        crate::rules::token_kind(py, *self)
    }
}

include!("generated.rs");
