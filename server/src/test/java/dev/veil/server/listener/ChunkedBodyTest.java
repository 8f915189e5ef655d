package dev.veil.server.listener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class ChunkedBodyTest {
    private static String data(ChunkedBody body, String framed) {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        byte[] bytes = framed.getBytes(StandardCharsets.ISO_8859_1);
        body.read(bytes, 0, bytes.length, data::write);
        return data.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void stopsAtTheEndOfTheBodyAndLeavesWhatFollows() {
        ChunkedBody body = new ChunkedBody();
        byte[] bytes = "A\r\n0123456789\r\n0\r\n\r\nGET /".getBytes(StandardCharsets.ISO_8859_1);

        int read = body.read(bytes, 0, bytes.length, (b, offset, length) -> { });

        assertThat(read).isEqualTo(bytes.length - "GET /".length());
        assertThat(body.ended()).isTrue();
    }

    @Test
    void skipsExtensionsAndTrailerFields() {
        ChunkedBody body = new ChunkedBody();

        assertThat(data(body, "2;name=value\r\nab\r\n1 ; x\r\nc\r\n0\r\nTrailer-One: 1\r\nTwo: 2\r\n\r\n"))
                .isEqualTo("abc");
        assertThat(body.ended()).isTrue();
    }

    @Test
    void refusesASizeThatIsNotHexadecimal() {
        assertThatThrownBy(() -> data(new ChunkedBody(), "zz\r\n")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesDataLongerThanItsSize() {
        assertThatThrownBy(() -> data(new ChunkedBody(), "1\r\nab\r\n")).isInstanceOf(IllegalArgumentException.class);
    }
}
