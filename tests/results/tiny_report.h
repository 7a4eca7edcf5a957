// A hand-made Report for the writers' tests: two objectives (quality, decode ms on
// "laptop"), three candidates — one on the front, one reference off it with a missing
// objective value, one rejected whose reason has a comma and a quote — and one warning.
#pragma once

#include "proto/report.pb.h"

namespace nas::results::testing {

inline Report TinyReport() {
  Report r;
  r.set_schema("nas-report/1");
  r.set_generated_unix_ms(1700000000000);
  Campaign* c = r.mutable_campaign();
  c->set_db_path("/tmp/tiny.db");
  c->set_space_name("tiny");
  c->set_generations_done(2);
  c->set_generations_planned(3);
  c->set_candidates_total(3);
  c->set_candidates_rejected(1);
  c->set_measurements_total(4);
  c->set_measurements_failed(1);
  ObjectiveInfo* q = r.add_objectives();
  q->set_name("quality[proxy:capacity-recall]");
  q->set_kind("QUALITY");
  q->set_maximised(true);
  ObjectiveInfo* d = r.add_objectives();
  d->set_name("decode_ms_per_token[laptop,depth=64]");
  d->set_kind("DECODE_MS_PER_TOKEN");
  d->set_device_class("laptop");
  d->set_unit("ms");
  r.mutable_evaluator()->set_name("proxy:capacity-recall");
  r.mutable_evaluator()->set_is_proxy(true);
  LegendEntry* a = r.add_layer_legend();
  a->set_letter("A");
  a->set_meaning("attention");
  LegendEntry* conv = r.add_layer_legend();
  conv->set_letter("C");
  conv->set_meaning("gated short conv");

  Candidate* x = r.add_candidates();
  x->set_hash("aaaaaaaaaaaaaaaa");
  x->set_layers("CCA");
  x->set_generation(1);
  x->set_parameters(412345);
  x->set_feasible(true);
  x->set_on_front(true);
  x->set_quality(0.8125);
  x->add_objective_values()->set_value(0.8125);
  x->add_objective_values()->set_value(1.25);
  Candidate* ref = r.add_candidates();
  ref->set_hash("bbbbbbbbbbbbbbbb");
  ref->set_layers("AAA");
  ref->set_reference("tiny-transformer");
  ref->set_parameters(500000);
  ref->set_feasible(false);
  ref->set_quality(0.5);
  ref->add_objective_values()->set_value(0.5);
  ref->add_objective_values();  // not measured
  Candidate* bad = r.add_candidates();
  bad->set_hash("cccccccccccccccc");
  bad->set_layers("RRR");
  bad->set_generation(2);
  bad->set_parameters(9e6);
  bad->set_rejected_reason("parameters 9000000 > 600000, \"max_parameters\"");
  bad->add_objective_values();
  bad->add_objective_values();
  r.add_warnings("1 measurement failed (1 TIMEOUT).");
  return r;
}

}  // namespace nas::results::testing
