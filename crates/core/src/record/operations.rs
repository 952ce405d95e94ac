//! One table per service: its operations, their typed requests and responses.
//!
//! `service_operations!` turns a list of `Name(Request) -> Response` rows into the
//! service's `Operation` enum (with its names, for scenario files and the trace), a
//! request union parsed once from JSON where it enters, and a response union serialized
//! once where it leaves. Each service writes its table in its `shapes.rs`.

/// Declares a service's operations (see the module documentation).
#[macro_export]
#[doc(hidden)]
macro_rules! service_operations {
    (
        $(#[$rdoc:meta])* request $request:ident;
        $(#[$sdoc:meta])* response $response:ident;
        $( $(#[$doc:meta])* $name:ident($req:ty) -> $resp:ty ),* $(,)?
    ) => {
        /// An operation of the service.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Operation {
            $($(#[$doc])* $name),*
        }

        impl Operation {
            /// Every operation the simulation performs.
            pub const ALL: &'static [Operation] = &[$(Operation::$name),*];

            /// The API name, e.g. `CreateOrganization`.
            pub fn name(self) -> &'static str {
                match self { $(Operation::$name => stringify!($name)),* }
            }

            /// The operation called `name`.
            pub fn from_name(name: &str) -> Option<Operation> {
                match name { $(stringify!($name) => Some(Operation::$name),)* _ => None }
            }

            /// Every operation's name, for messages.
            pub fn names() -> Vec<&'static str> {
                Self::ALL.iter().map(|o| o.name()).collect()
            }
        }

        $(#[$rdoc])*
        #[derive(Debug, Clone, PartialEq)]
        #[allow(missing_docs)]
        pub enum $request {
            $($name($req)),*
        }

        impl $request {
            /// Which operation it asks for.
            pub fn operation(&self) -> Operation {
                match self { $($request::$name(_) => Operation::$name),* }
            }

            /// Parses the JSON request shape of `operation` (`null` is an empty request).
            pub fn from_json(operation: Operation, request: &serde_json::Value) -> Result<$request, serde_json::Error> {
                let empty = serde_json::Value::Object(Default::default());
                let request = if request.is_null() { &empty } else { request };
                match operation {
                    $(Operation::$name => <$req as serde::Deserialize>::deserialize(request).map($request::$name)),*
                }
            }
        }

        $(#[$sdoc])*
        #[derive(Debug, Clone, PartialEq)]
        #[allow(missing_docs)]
        pub enum $response {
            $($name($resp)),*
        }

        impl serde::Serialize for $response {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                match self { $($response::$name(r) => r.serialize(s)),* }
            }
        }
    };
}
