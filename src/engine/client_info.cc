#include "engine/client_info.h"

#include "engine/client.h"
#include "engine/command_table.h"

namespace lodestone {

std::string ClientInfoLine(const Client& c, int64_t now_ms) {
  std::string flags;
  const Transaction& tx = c.transaction();
  if (c.flags & kClientMonitor) flags += 'O';
  if (tx.active()) flags += 'x';
  if (c.blocked()) flags += 'b';
  if (c.tracking) flags += 't';
  if (c.tracking && c.tracking->broken_redirect) flags += 'R';
  if (c.tracking && c.tracking->bcast) flags += 'B';
  if (tx.dirty()) flags += 'd';
  if (c.flags & kClientCloseAsap) flags += 'A';
  if (c.flags & kClientCloseAfterReply) flags += 'c';
  if (c.flags & kClientUnixSocket) flags += 'U';
  if (c.flags & kClientNoEvict) flags += 'e';
  if (c.flags & kClientNoTouch) flags += 'T';
  if (c.in_pubsub_mode()) flags += 'P';
  if (flags.empty()) flags = "N";
  std::string out;
  out.reserve(320);
  out += "id=" + std::to_string(c.id());
  out += " addr=" + c.peer();
  out += " laddr=" + c.local();
  out += " fd=" + std::to_string(c.fd());
  out += " name=" + c.name;
  out += " age=" + std::to_string((now_ms - c.created_ms) / 1000);
  out += " idle=" + std::to_string((now_ms - c.last_interaction_ms) / 1000);
  out += " flags=" + flags;
  out += " db=" + std::to_string(c.db);
  out += " sub=" + std::to_string(c.subscription_count(PubSubKind::kChannel));
  out += " psub=" + std::to_string(c.subscription_count(PubSubKind::kPattern));
  out += " ssub=" + std::to_string(c.subscription_count(PubSubKind::kShardChannel));
  out += " multi=";
  out += tx.active() ? std::to_string(tx.queued_count()) : std::string("-1");
  out += " watch=" + std::to_string(tx.watched_count());
  out += " qbuf=" + std::to_string(c.query_buffer_size());
  out += " qbuf-free=" + std::to_string(c.query_buffer_capacity() - c.query_buffer_size());
  out += " argv-mem=0 multi-mem=" + std::to_string(tx.queued_bytes());
  out += " rbs=0 rbp=0 obl=0 oll=0";
  out += " omem=" + std::to_string(c.output_size());
  out += " tot-mem=" + std::to_string(c.query_buffer_capacity() + c.output_size() + sizeof(Client));
  out += " events=r";
  out += " cmd=" + (c.last_command ? c.last_command->name : std::string("NULL"));
  out += " user=" + c.user;
  out += " redir=" + (c.tracking ? std::to_string(c.tracking->redirect_id) : std::string("-1"));
  out += " resp=" + std::to_string(c.resp);
  out += " lib-name=" + c.lib_name;
  out += " lib-ver=" + c.lib_ver;
  return out;
}

}  // namespace lodestone
