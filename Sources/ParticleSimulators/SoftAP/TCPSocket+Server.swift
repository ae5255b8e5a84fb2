import Glibc
import ParticleCore
import ParticleSoftAP

// The server half of the SoftAP transport: only the simulated device listens and accepts, so it lives here, out of
// the shipping library (which keeps the client half and the shared `TCPSocket` owner).
extension TCPSocket {
    /// A listening socket on `host:port` (port 0 picks a free one; read it back with `localPort`).
    package static func listen(host: String, port: Int, backlog: Int32 = 5) throws(Failure) -> TCPSocket {
        let sock = try reserve(host: host, port: port)
        guard Glibc.listen(sock.fd, backlog) == 0 else { throw .system(errno) }
        return sock
    }

    /// A socket bound to `host:port` that does not listen: connections to it are refused (RST), and the port stays
    /// taken, so no other server on this machine can get it and answer in its place.
    package static func reserve(host: String, port: Int) throws(Failure) -> TCPSocket {
        var address = try ipv4Address(host: host, port: port)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .system(errno) }
        let sock = TCPSocket(adopting: fd)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw .system(errno) }
        return sock
    }

    /// The bound port.
    package var localPort: Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// The next connection, or nil when none arrives by the deadline.
    package func accept(deadline: MonotonicDeadline) throws(Failure) -> TCPSocket? {
        while true {
            let client = Glibc.accept(fd, nil, nil)
            if client >= 0 {
                _ = fcntl(client, F_SETFL, fcntl(client, F_GETFL) | O_NONBLOCK)
                _ = fcntl(client, F_SETFD, FD_CLOEXEC)
                var one: Int32 = 1
                setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                return TCPSocket(adopting: client)
            }
            switch errno {
            case EINTR, ECONNABORTED: continue
            case EAGAIN, EWOULDBLOCK:
                do {
                    try wait(for: Int16(POLLIN), deadline: deadline)
                } catch .timedOut {
                    return nil
                }
            default: throw .system(errno)
            }
        }
    }

    /// True once the peer has closed or reset (without consuming data).
    package var peerHasClosed: Bool {
        var pollfd = Glibc.pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&pollfd, 1, 0) > 0 else { return false }
        if pollfd.revents & Int16(POLLHUP | POLLERR) != 0 { return true }
        // Readable: peek to tell data from end-of-stream.
        var byte: UInt8 = 0
        let count = recv(fd, &byte, 1, Int32(MSG_PEEK))
        return count == 0 || (count < 0 && errno != EAGAIN && errno != EINTR)
    }

    /// Makes `close` send RST instead of FIN (used by the simulator to drop a connection mid-reply).
    package func setResetOnClose() {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
    }
}
