//! Statistics: closed forms of the published models, used to validate the
//! simulation and (later) to fit it.

pub mod closed_form;
