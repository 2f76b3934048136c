//! The OpenAPI schemas of the bodies that carry credentials (`POST /v1/connections`,
//! `PUT /v1/connections/{id}/credentials`), built from the providers' descriptions: a
//! `oneOf` per provider (discriminated by `provider`) whose `auth` is a `oneOf` of that
//! provider's posted modes (discriminated by `mode`). The bodies themselves are read by
//! `deskgate_app`'s input module against the same descriptions, so document and behaviour
//! cannot drift apart.

use std::borrow::Cow;

use deskgate_app::connections::registry;
use deskgate_app::connector::{ModeDescription, ProviderSpec};
use utoipa::openapi::schema::{
    AdditionalProperties, Discriminator, KnownFormat, ObjectBuilder, OneOfBuilder, Schema,
    SchemaFormat, Type,
};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{PartialSchema, ToSchema};

fn pascal(name: &str) -> String {
    name.split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

/// `CreateZendeskConnection`.
fn connection_name(spec: &dyn ProviderSpec) -> String {
    format!("Create{}Connection", pascal(spec.provider().as_str()))
}

/// `ZendeskApiTokenAuth`.
fn auth_name(spec: &dyn ProviderSpec, mode: &ModeDescription) -> String {
    format!(
        "{}{}Auth",
        pascal(spec.provider().as_str()),
        pascal(mode.mode.as_str())
    )
}

fn reference(name: &str) -> String {
    format!("#/components/schemas/{name}")
}

fn constant(value: &str, description: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some([value]))
        .description(Some(description))
}

fn posted(spec: &dyn ProviderSpec) -> impl Iterator<Item = &'static ModeDescription> {
    spec.modes().iter().filter(|m| m.posted)
}

/// One mode's `auth` object.
fn auth_schema(mode: &ModeDescription) -> Schema {
    let mut object = ObjectBuilder::new()
        .description(Some(mode.summary))
        .property("mode", constant(mode.mode.as_str(), "the auth mode"))
        .required("mode")
        .additional_properties(Some(AdditionalProperties::FreeForm(false)));
    for field in mode.fields {
        let mut property = ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(field.description))
            .min_length(Some(1))
            .max_length(Some(field.max_chars));
        if field.secret {
            property = property.format(Some(SchemaFormat::KnownFormat(KnownFormat::Password)));
        } else if field.email {
            property = property.format(Some(SchemaFormat::KnownFormat(KnownFormat::Email)));
        }
        object = object.property(field.name, property);
        if field.required {
            object = object.required(field.name);
        }
    }
    object.build().into()
}

/// A provider's `auth`: a `oneOf` of its posted modes.
fn auth_union(spec: &dyn ProviderSpec) -> RefOr<Schema> {
    let modes: Vec<&ModeDescription> = posted(spec).collect();
    let mapping = modes
        .iter()
        .map(|m| (m.mode.as_str().to_owned(), reference(&auth_name(spec, m))));
    let mut union = OneOfBuilder::new()
        .description(Some(format!(
            "How the {} connection authenticates",
            spec.provider()
        )))
        .discriminator(Some(Discriminator::with_mapping("mode", mapping)));
    for mode in &modes {
        union = union.item(Ref::from_schema_name(auth_name(spec, mode)));
    }
    Schema::OneOf(union.build()).into()
}

fn connection_schema(spec: &dyn ProviderSpec) -> Schema {
    let account = spec.account_field();
    ObjectBuilder::new()
        .description(Some(format!("A {} account", spec.provider())))
        .property(
            "provider",
            constant(spec.provider().as_str(), "the helpdesk"),
        )
        .required("provider")
        .property(account.name, {
            let field = ObjectBuilder::new()
                .schema_type(Type::String)
                .description(Some(account.description))
                .min_length(Some(1))
                .max_length(Some(63))
                .examples([account.example]);
            if account.choices.is_empty() {
                field
            } else {
                field.enum_values(Some(account.choices.iter().copied()))
            }
        })
        .required(account.name)
        .property("auth", auth_union(spec))
        .required("auth")
        .property(
            "external_ref",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .description(Some("your own id for the customer who owns the account"))
                .min_length(Some(1))
                .max_length(Some(200)),
        )
        .additional_properties(Some(AdditionalProperties::FreeForm(false)))
        .build()
        .into()
}

/// What to connect: the provider names the shape of the rest.
#[derive(Debug)]
pub(crate) struct CreateConnection;

impl PartialSchema for CreateConnection {
    fn schema() -> RefOr<Schema> {
        let specs: Vec<&dyn ProviderSpec> = registry::specs().collect();
        let mapping = specs.iter().map(|s| {
            (
                s.provider().as_str().to_owned(),
                reference(&connection_name(*s)),
            )
        });
        let mut union = OneOfBuilder::new()
            .description(Some(
                "What to connect: `provider` names the shape of the rest",
            ))
            .discriminator(Some(Discriminator::with_mapping("provider", mapping)));
        for spec in &specs {
            union = union.item(Ref::from_schema_name(connection_name(*spec)));
        }
        Schema::OneOf(union.build()).into()
    }
}

impl ToSchema for CreateConnection {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("CreateConnection")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        for spec in registry::specs() {
            schemas.push((connection_name(spec), connection_schema(spec).into()));
            for mode in posted(spec) {
                schemas.push((auth_name(spec, mode), auth_schema(mode).into()));
            }
        }
    }
}

/// New credentials for a connection, in the shape `POST /v1/connections` takes for its
/// provider's `auth`.
#[derive(Debug)]
pub(crate) struct ReplaceCredentials;

impl PartialSchema for ReplaceCredentials {
    fn schema() -> RefOr<Schema> {
        let mut union = OneOfBuilder::new().description(Some(
            "an auth object of one of the connection's provider's modes",
        ));
        for spec in registry::specs() {
            for mode in posted(spec) {
                union = union.item(Ref::from_schema_name(auth_name(spec, mode)));
            }
        }
        ObjectBuilder::new()
            .description(Some(
                "New credentials, in the shape `auth` takes for the connection's provider",
            ))
            .property("auth", Schema::OneOf(union.build()))
            .required("auth")
            .additional_properties(Some(AdditionalProperties::FreeForm(false)))
            .build()
            .into()
    }
}

impl ToSchema for ReplaceCredentials {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("ReplaceCredentials")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        CreateConnection::schemas(schemas);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_pascal_case_per_provider_and_mode() {
        assert_eq!(pascal("client_credentials"), "ClientCredentials");
        let mut schemas = Vec::new();
        CreateConnection::schemas(&mut schemas);
        let names: Vec<&str> = schemas.iter().map(|(n, _)| n.as_str()).collect();
        assert!(names.contains(&"CreateZendeskConnection"), "{names:?}");
        assert!(names.contains(&"ZendeskApiTokenAuth"), "{names:?}");
        assert!(
            !names.contains(&"ZendeskOauthCodeAuth"),
            "not posted: {names:?}"
        );
    }
}
