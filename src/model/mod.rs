//! What the program talks about: targets, typed build options, include specs,
//! size budgets, what `run` and `bench` are asked to do, and the recorded manifest.

/// Implements `Display`, `Serialize` and `Deserialize` (through `FromStr`, so a
/// recorded value is checked exactly like a typed one) for a string newtype.
macro_rules! string_newtype {
    ($name:ident) => {
        impl $name {
            pub(crate) fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <String as serde::Deserialize>::deserialize(d)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

pub(crate) mod budget;
pub(crate) mod cpu_baseline;
pub(crate) mod function_limits;
pub(crate) mod image;
pub(crate) mod include;
pub(crate) mod invalid_value;
pub(crate) mod linked_crates;
pub(crate) mod linker;
pub(crate) mod local_dependency;
pub(crate) mod manifest;
pub(crate) mod options;
pub(crate) mod profile_plan;
pub(crate) mod run_options;
pub(crate) mod source_file;
pub(crate) mod supply_chain;
pub(crate) mod target;
pub(crate) mod timestamp;
pub(crate) mod toolchain;
