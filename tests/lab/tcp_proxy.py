# SPDX-License-Identifier: GPL-3.0-or-later
"""A TCP proxy on 127.0.0.1 in front of one lab server, with switchable faults for tests.

The integration tests put it between a module and the lab's Cassandra to play a node that stops
and comes back, or stops responding, in the middle of a scan:

  forward  pass bytes both ways (the default)
  down     close every connection and every new one at once, as a stopped node would
  stall    keep the connections open but pass nothing, so that reads time out

fail_after(client_bytes, mode, seconds) switches to `mode` once the clients have sent that many
bytes in total, and back to forward `seconds` later. Counting client bytes, not time, puts the
fault at the same point of a scan on a fast or a slow machine.
"""

import logging
import select
import socket
import threading
import time

LOG = logging.getLogger("tcp_proxy")

MODES = ("forward", "down", "stall")
_POLL_SECONDS = 0.05


class TcpProxy:
    """Listen on 127.0.0.1 (an ephemeral port unless listen_port is given) and forward to target_port."""

    def __init__(self, target_port, target_host="127.0.0.1", listen_port=0):
        self.target = (target_host, target_port)
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", listen_port))
        self._listener.listen(64)
        # accept() wakes up this often to notice stop(); closing the socket does not interrupt it.
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self.mode = "forward"
        self.client_bytes = 0
        self.connections_closed = 0
        self._trigger = None
        self._connections = set()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._threads = []

    def start(self):
        thread = threading.Thread(target=self._accept_loop, name="tcp-proxy-accept", daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def stop(self):
        """Stop accepting, close every connection and wait briefly for the threads."""
        self._stopping.set()
        self._listener.close()
        self._close_all()
        for thread in self._threads:
            thread.join(timeout=2)

    def set_mode(self, mode):
        if mode not in MODES:
            raise ValueError("mode must be one of %s, got %r" % (", ".join(MODES), mode))
        LOG.info("proxy on port %d: %s", self.port, mode)
        with self._lock:
            self.mode = mode
        if mode == "down":
            self._close_all()

    def fail_after(self, client_bytes, mode, seconds):
        """Switch to `mode` once the clients have sent client_bytes in total, and back `seconds` later."""
        if mode not in ("down", "stall"):
            raise ValueError("mode must be down or stall, got %r" % mode)
        with self._lock:
            self._trigger = (self.client_bytes + client_bytes, mode, seconds)

    def wait_for_forward(self, timeout):
        """Wait until the proxy forwards again; return True if it does within timeout seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.mode == "forward" and self._trigger is None:
                return True
            time.sleep(_POLL_SECONDS)
        return False

    # Internals ---------------------------------------------------------------------------------

    def _close_all(self):
        with self._lock:
            connections = list(self._connections)
            self._connections.clear()
            self.connections_closed += len(connections)
        for connection in connections:
            for sock in connection:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()

    def _accept_loop(self):
        while not self._stopping.is_set():
            try:
                client, _address = self._listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            client.settimeout(None)
            if self.mode == "down":
                client.close()
                continue
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError as exc:
                LOG.warning("proxy on port %d cannot reach %s:%d: %s", self.port, self.target[0], self.target[1], exc)
                client.close()
                continue
            server.settimeout(None)
            connection = (client, server)
            with self._lock:
                self._connections.add(connection)
            thread = threading.Thread(target=self._pump, args=(connection,), name="tcp-proxy-pump", daemon=True)
            thread.start()

    def _count_client_bytes(self, count):
        restore_after = None
        with self._lock:
            self.client_bytes += count
            trigger = self._trigger
            if trigger is not None and self.client_bytes >= trigger[0]:
                self._trigger = None
                restore_after = trigger
        if restore_after is not None:
            _threshold, mode, seconds = restore_after
            LOG.info("proxy on port %d: %s for %.1f s after %d client bytes", self.port, mode, seconds,
                     self.client_bytes)
            self.set_mode(mode)
            timer = threading.Timer(seconds, self.set_mode, args=("forward",))
            timer.daemon = True
            timer.start()

    def _pump(self, connection):
        client, server = connection
        peers = {client: server, server: client}
        try:
            while not self._stopping.is_set():
                with self._lock:
                    if connection not in self._connections:
                        return
                if self.mode == "stall":
                    time.sleep(_POLL_SECONDS)
                    continue
                readable, _writable, _failed = select.select([client, server], [], [], _POLL_SECONDS)
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    if sock is client:
                        self._count_client_bytes(len(data))
                    if self.mode != "forward":
                        break
                    peers[sock].sendall(data)
        except (OSError, ValueError):
            return
        finally:
            with self._lock:
                self._connections.discard(connection)
            for sock in connection:
                sock.close()
