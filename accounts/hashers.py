from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idOwaspHasher(Argon2PasswordHasher):
    """Argon2id at OWASP's minimum recommended cost: 19 MiB, 2 passes, 1 lane.

    Django's own Argon2 defaults cost about five times as much CPU per check,
    which a VPN server that checks every login cannot afford. The algorithm
    name stays "argon2", so hashes made with other parameters verify and are
    rehashed at these parameters on the next successful check.
    """

    time_cost = 2
    memory_cost = 19 * 1024
    parallelism = 1
