//! What one replication records: the recorder's per-period flows (money,
//! purchases, members, points) and the customer answers (segments, returns,
//! concentration, buyer stages). The mechanisms book into it and the engine
//! owns one per replication (or block of customers), so it sits below both:
//! it imports nothing from `programs` or `engine`.

pub mod answers;
pub mod recorder;
