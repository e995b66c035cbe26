from django.dispatch import Signal

# Sent inside the transaction that marks a VPN user deleted, with user=<VpnUser>,
# so that apps holding per-user state (WireGuard keys, sessions) release it in
# the same transaction.
vpn_user_deleted = Signal()
