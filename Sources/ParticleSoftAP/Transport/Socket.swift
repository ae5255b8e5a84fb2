import Glibc
import ParticleCore

/// A TCP socket file descriptor with deadline-bounded operations (non-blocking I/O + `poll`). Used by the SoftAP
/// client and, within this package, by the simulated device. Every wait takes a `MonotonicDeadline`.
package struct TCPSocket: ~Copyable {
    package let fd: Int32
    /// The read end of a `CancellationSignal` (or -1): when it fires, every wait on this socket ends at once with
    /// `.cancelled`. The signal is owned by the caller and outlives the socket.
    private let cancelFD: Int32

    package init(adopting fd: Int32, cancellation: CancellationSignal? = nil) {
        self.fd = fd
        self.cancelFD = cancellation?.fileDescriptor ?? -1
    }

    deinit { Glibc.close(fd) }

    package enum Failure: Error, Equatable {
        case timedOut
        /// The `CancellationSignal` fired.
        case cancelled
        case system(Int32)

        package var reason: String {
            switch self {
            case .timedOut: "timed out"
            case .cancelled: "cancelled"
            case let .system(code): String(cString: strerror(code)).lowercased()
            }
        }
    }

    /// The outcome of one read.
    package enum ReadResult: Equatable {
        case bytes([UInt8])
        /// The peer closed (FIN) or reset the connection.
        case closed(reset: Bool)
    }

    /// Connects to an IPv4 address, giving up at the deadline (or when `cancellation` fires).
    package static func connect(host: String, port: Int, deadline: MonotonicDeadline,
                                cancellation: CancellationSignal? = nil) throws(Failure) -> TCPSocket {
        if cancellation?.isFired == true { throw .cancelled }
        var address = try ipv4Address(host: host, port: port)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .system(errno) }
        let sock = TCPSocket(adopting: fd, cancellation: cancellation)
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if result != 0 {
            guard errno == EINPROGRESS else { throw .system(errno) }
            try sock.wait(for: Int16(POLLOUT), deadline: deadline)
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
            guard error == 0 else { throw .system(error) }
        }
        return sock
    }

    /// `host` as an IPv4 socket address: a dotted quad, or a name resolved with getaddrinfo.
    package static func ipv4Address(host: String, port: Int) throws(Failure) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(clamping: port)).bigEndian
        if inet_pton(AF_INET, host, &address.sin_addr) == 1 { return address }
        var hints = addrinfo()
        hints.ai_family = AF_INET
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list, let found = first.pointee.ai_addr else {
            throw .system(EHOSTUNREACH)
        }
        defer { freeaddrinfo(list) }
        found.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address.sin_addr = $0.pointee.sin_addr }
        return address
    }

    /// Waits until `events` are ready, the deadline passes or the cancellation signal fires.
    package func wait(for events: Int16, deadline: MonotonicDeadline) throws(Failure) {
        while true {
            var fds = [Glibc.pollfd(fd: fd, events: events, revents: 0)]
            if cancelFD >= 0 { fds.append(Glibc.pollfd(fd: cancelFD, events: Int16(POLLIN), revents: 0)) }
            let ready = poll(&fds, nfds_t(fds.count), deadline.remainingMilliseconds)
            if ready > 0 {
                if fds.count > 1, fds[1].revents != 0 { throw .cancelled }
                return
            }
            if ready == 0 { throw .timedOut }
            if errno != EINTR { throw .system(errno) }
        }
    }

    /// Sends all bytes (one `send` for anything that fits the socket buffer), by the deadline.
    package func writeAll(_ bytes: [UInt8], deadline: MonotonicDeadline) throws(Failure) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent > 0 {
                offset += sent
                continue
            }
            if sent < 0, errno == EINTR { continue }
            if sent < 0, errno == EAGAIN || errno == EWOULDBLOCK {
                try wait(for: Int16(POLLOUT), deadline: deadline)
                continue
            }
            throw .system(errno)
        }
    }

    /// Reads what is available (up to `maximum` bytes), waiting until the deadline for something to arrive.
    package func read(maximum: Int = 4096, deadline: MonotonicDeadline) throws(Failure) -> ReadResult {
        var buffer = [UInt8](repeating: 0, count: maximum)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, maximum, 0) }
            if count > 0 { return .bytes(Array(buffer[0..<count])) }
            if count == 0 { return .closed(reset: false) }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: try wait(for: Int16(POLLIN), deadline: deadline)
            case ECONNRESET, EPIPE: return .closed(reset: true)
            default: throw .system(errno)
            }
        }
    }
}

// MARK: - Ownership

extension TCPSocket {
    /// Gives up ownership without closing (the simulator keeps some connections open on purpose).
    package consuming func release() -> Int32 {
        let descriptor = fd
        discard self
        return descriptor
    }
}
