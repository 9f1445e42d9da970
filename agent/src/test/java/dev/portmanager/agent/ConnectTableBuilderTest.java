package dev.portmanager.agent;

import dev.portmanager.Allocation;
import dev.portmanager.AllocationState;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The default rule and the routes, on allocations made up here (the ITs run them for real). */
class ConnectTableBuilderTest {
    private static Allocation listening(String host, String service, int requested, int port, String advertised) {
        return new Allocation(host, port, service, "ml", service, Integer.toString(requested), requested, advertised,
                42, 1, 0, 30_000, Long.MAX_VALUE, AllocationState.LISTENING, 1, "test");
    }

    private static ConnectTable build(List<Allocation> local, List<Allocation> registry, List<ConnectRoutes.Route> routes)
            throws Exception {
        return ConnectTableBuilder.build("web-01", local, registry, Set.of(InetAddress.getByName("10.0.0.1")), routes,
                null, false);
    }

    @Test
    void oneServiceMovedOffAFreePortIsFollowed() throws Exception {
        ConnectTable t = build(List.of(listening("web-01", "emotion", 8088, 8300, "web-01")), List.of(), List.of());
        assertTrue(t.concerns(8088));
        assertFalse(t.concerns(8300), "the moved-to port itself is not redirected");
        ConnectTable.PortDecision d = t.hostOf(new InetSocketAddress("127.0.0.1", 8088)).decisions().get(8088);
        assertEquals(8300, d.byDefault().port());
        assertEquals("emotion", d.byDefault().service());
        assertNull(d.byDefault().address(), "this host: the dialed address is kept");
        assertSame(t.local, t.hostOf(new InetSocketAddress("10.0.0.1", 8088)), "a local interface is this host");
    }

    @Test
    void aKeptPortIsNeverRedirected() throws Exception {
        ConnectTable t = build(List.of(listening("web-01", "hrm", 8085, 8085, "web-01"),
                listening("web-01", "voice", 8085, 8301, "web-01")), List.of(), List.of());
        assertFalse(t.concerns(8085));
    }

    @Test
    void twoServicesMovedOffOnePortIsAmbiguous() throws Exception {
        ConnectTable t = build(List.of(listening("web-01", "b", 8085, 8301, null), listening("web-01", "a", 8085, 8302, null)),
                List.of(), List.of());
        ConnectTable.PortDecision d = t.local.decisions().get(8085);
        assertNull(d.byDefault());
        assertEquals("a and b all moved from 8085 on this host", d.ambiguity());
    }

    @Test
    void routesApplyPerHostAndLoopbackFallsBackToAnotherHostsInstance() throws Exception {
        ConnectRoutes.Route voiceFromVoice = new ConnectRoutes.Route(8085, "com.acme.voice", "voice", "8085@com.acme.voice=voice");
        ConnectRoutes.Route shortPrefix = new ConnectRoutes.Route(8085, "com", "hrm", "8085@com=hrm");
        ConnectTable t = build(List.of(listening("web-01", "hrm", 8085, 8085, "web-01")),
                List.of(listening("web-02", "voice", 8085, 8301, "10.0.0.2")), List.of(shortPrefix, voiceFromVoice));
        ConnectTable.PortDecision local = t.local.decisions().get(8085);
        assertEquals("com.acme.voice", local.prefixed()[0].route().prefix(), "longest prefix first");
        ConnectTable.Target voice = local.prefixed()[0].target();
        assertNotNull(voice, "no voice here: the registry's instance elsewhere");
        assertEquals(8301, voice.port());
        assertEquals(InetAddress.getByName("10.0.0.2"), voice.address(), "at the address it advertises");

        ConnectTable.HostEntry web02 = t.hostOf(new InetSocketAddress("10.0.0.2", 8085));
        assertEquals("web-02", web02.name());
        assertEquals(8301, web02.decisions().get(8085).prefixed()[0].target().port());
        assertNull(web02.decisions().get(8085).prefixed()[1].target(), "no hrm on web-02");
        assertNull(t.hostOf(new InetSocketAddress("10.9.9.9", 8085)), "not a PortManager host");
    }

    @Test
    void onlyIpLiteralsWithoutAResolver() {
        assertTrue(ConnectTableBuilder.isIpLiteral("10.0.0.5"));
        assertTrue(ConnectTableBuilder.isIpLiteral("fe80::1"));
        assertFalse(ConnectTableBuilder.isIpLiteral("web-01"));
        assertFalse(ConnectTableBuilder.isIpLiteral("cafe.be"));
        assertEquals(0, ConnectTableBuilder.addresses("web-01", null).length);
    }
}
